/** An error line screen readers announce; nothing when there is no message. */
export function Alert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}
