// Stands in for react-devtools-core in the live bundle: Ink imports it only when DEV=true (never in the live
// system), but esbuild hoists the import, so the bundle needs something to import that does nothing.
export default { initialize(): void {}, connectToDevTools(): void {} };
