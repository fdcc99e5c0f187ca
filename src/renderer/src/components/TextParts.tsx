/** A part's field name as a heading: "subject" → "Subject". */
function partTitle(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * The parts an import's text template built the text from, each under its field's name. With a
 * `toggle`, parts past 1200 characters are cut until `long`; without one, they are shown whole.
 */
export function TextParts({
  parts,
  long = true,
  toggle,
}: {
  parts: { name: string; text: string }[];
  long?: boolean;
  toggle?: () => void;
}) {
  const clips = toggle !== undefined && parts.some((p) => p.text.length > 1200);
  return (
    <div className="example-parts" data-testid="example-parts">
      {parts.map((p, i) => (
        <section key={i} className="example-part" data-testid="example-part" aria-label={partTitle(p.name)}>
          <h3 className="part-name">{partTitle(p.name)}</h3>
          <p className="example-text">
            {p.text === '' ? (
              <span className="muted">(empty)</span>
            ) : !long && p.text.length > 1200 ? (
              `${p.text.slice(0, 1200)}…`
            ) : (
              p.text
            )}
          </p>
        </section>
      ))}
      {clips && (
        <button type="button" className="link" onClick={toggle}>
          {long ? 'show less' : 'show all'}
        </button>
      )}
    </div>
  );
}
