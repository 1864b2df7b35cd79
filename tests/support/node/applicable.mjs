// Runs docs/assets/checker/applicable.js (the form's reading of asked_when) on cases from stdin:
//   stdin  {module: file URL of applicable.js, facts: [rulebook facts], cases: [{answers: {id: answer}, fact: id}]}
//   stdout [{state, value?, asked?}] : the state of `fact` in the environment of `answers`, per case
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { module, facts, cases } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const { environment } = await import(module);
const out = cases.map(({ answers, fact }) => environment(facts, new Map(Object.entries(answers))).get(fact));
process.stdout.write(JSON.stringify(out));
