import type { RowReject } from '../../../shared/features/import/contract';

/** Rows that failed validation: where they are in the file, which field, and why. */
export function RejectsTable({ rejects }: { rejects: RowReject[] }) {
  return (
    <table className="table compact" aria-label="Rejected rows">
      <thead>
        <tr>
          <th scope="col" className="num">
            row
          </th>
          <th scope="col" className="num">
            line
          </th>
          <th scope="col">field</th>
          <th scope="col">reason</th>
        </tr>
      </thead>
      <tbody>
        {rejects.slice(0, 20).map((r) => (
          <tr key={`${r.row}:${r.field}`}>
            <td className="num">{r.row}</td>
            <td className="num">{r.line ?? '—'}</td>
            <td className="mono">{r.field}</td>
            <td>{r.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
