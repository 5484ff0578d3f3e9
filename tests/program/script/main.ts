// No import or export: a script, whose declarations are global. It cannot share a TypeScript
// program with others, where its globals would be visible to them.
function main(): u32 {
  return 7;
}
