// Schema version 6: the named parts an example's text was built from by an import mapping's text
// template (JSON [[field, text], …]), kept apart from `metadata` so that the log's own fields stay
// exactly what was imported (exports, metadata filters) and no log field can collide with them.
export const sql = /* sql */ `
ALTER TABLE examples ADD COLUMN text_parts TEXT;
`;
