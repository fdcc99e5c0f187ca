/** A table of counts: one row per key, one number per column, and an optional bold total row. */
export function CountsGrid({
  label,
  corner,
  columns,
  rows,
  total,
}: {
  label: string;
  corner: string;
  columns: string[];
  rows: { key: string; counts: number[] }[];
  total?: number[];
}) {
  const n = (v: number) => v.toLocaleString('en-US');
  return (
    <table className="table compact" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">{corner}</th>
          {columns.map((c) => (
            <th key={c} scope="col" className="num">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <td>{r.key}</td>
            {r.counts.map((v, i) => (
              <td key={columns[i]} className="num">
                {n(v)}
              </td>
            ))}
          </tr>
        ))}
        {total && (
          <tr>
            <th scope="row">all</th>
            {total.map((v, i) => (
              <td key={columns[i]} className="num">
                <strong>{n(v)}</strong>
              </td>
            ))}
          </tr>
        )}
      </tbody>
    </table>
  );
}
