/** A command line that names a command but not what it needs: refused with the command's usage. */
export class UsageError extends Error {}
