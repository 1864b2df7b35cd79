// Which questions apply, given the answers so far: the form's one reading of `asked_when`, so that
// it can ask the right questions before the Python runtime is ready. It follows the engine's
// semantics exactly (policycheck/engine.py `Engine.environment`, three-valued logic) and a test
// (tests/browser/test_applicable_js.py) proves that it agrees with the engine on every combination
// of answers that each question's applicability can depend on.
//
// asked_when conditions read only facts listed earlier (the source's validation guarantees it),
// never rules: {fact, is} | {fact, in} | {fact, has} | {all: [...]} | {any: [...]} | {not: ...}.
// A several-of fact's answer is an array of value ids; {fact, has} is true when it includes the
// value (or any of the values).

/** The state of a fact: an answer that counts, not applicable, unknown, or answered while whether
 *  it applies is itself still unknown ("maybe"). */
export const NA = "na";
export const UNKNOWN = "unknown";
export const VALUE = "value";
export const MAYBE = "maybe";

/** Three-valued truth of a condition in an environment (fact id -> {state, value}): true, false or null. */
export function truth(cond, env) {
  if ("all" in cond) {
    const parts = cond.all.map((c) => truth(c, env));
    return parts.includes(false) ? false : parts.includes(null) ? null : true;
  }
  if ("any" in cond) {
    const parts = cond.any.map((c) => truth(c, env));
    return parts.includes(true) ? true : parts.includes(null) ? null : false;
  }
  if ("not" in cond) {
    const inner = truth(cond.not, env);
    return inner === null ? null : !inner;
  }
  if ("fact" in cond) {
    const entry = env.get(cond.fact) ?? { state: UNKNOWN };
    if (entry.state === UNKNOWN) return null;
    if (entry.state === NA) return false;
    let hit;
    if ("has" in cond) {
      const wanted = Array.isArray(cond.has) ? cond.has : [cond.has];
      hit = wanted.some((w) => entry.value.includes(w));
    } else {
      hit = ("in" in cond ? cond.in : [cond.is]).includes(entry.value);
    }
    if (entry.state === MAYBE) return hit ? null : false;
    return hit;
  }
  throw new Error(`not a condition the form can read: ${JSON.stringify(cond)}`);
}

/** Every fact's state for these answers (Map id -> answer; null or absent = unknown), in question order. */
export function environment(facts, answers) {
  const env = new Map();
  for (const fact of facts) {
    const applies = fact.asked_when == null ? true : truth(fact.asked_when, env);
    const answer = answers.get(fact.id);
    if (applies === false) env.set(fact.id, { state: NA });
    else if (answer === undefined || answer === null) env.set(fact.id, { state: UNKNOWN, asked: applies === true });
    else env.set(fact.id, { state: applies ? VALUE : MAYBE, value: answer });
  }
  return env;
}

/** The answers that count (their question applies for certain), in question order. */
export function applicableAnswers(facts, answers) {
  const out = new Map();
  for (const [id, entry] of environment(facts, answers)) if (entry.state === VALUE) out.set(id, entry.value);
  return out;
}

/** Whether a question is asked now: its asked_when holds for certain, given the answers. */
export function isAsked(fact, env) {
  return fact.asked_when == null || truth(fact.asked_when, env) === true;
}
