// Statements and voiding through xapijs with its default (axios) adapter.
import { randomUUID } from "node:crypto";
import { args, client, outcome, print, tag, XAPI } from "./lib.mjs";

const xapi = client(args());
const run = tag();
const actor = { objectType: "Agent", name: "Bea Müller", mbox: `mailto:bea-${run}@example.com` };
const course = `http://example.com/e2e/${run}/courses/first-aid`;
const other = `http://example.com/e2e/${run}/courses/fire-safety`;
const completed = (extra = {}) => ({
  actor,
  verb: XAPI.Verbs.COMPLETED,
  object: { objectType: "Activity", id: course, definition: { name: { "en-US": "First aid" } } },
  ...extra,
});

const result = { run, actor, course };

// One statement without an id, then read it back.
result.single = await outcome(xapi.sendStatement({ statement: completed({ result: { completion: true } }) }));
const singleId = result.single.data?.[0];
result.singleRead = await outcome(xapi.getStatement({ statementId: singleId }));

// A statement with a client-chosen id: stored under it; the same statement again is accepted,
// a different one under that id is a conflict (Communication 2.1.2).
const chosenId = randomUUID();
const chosen = completed({ id: chosenId, result: { score: { scaled: 0.5 } } });
result.chosenId = chosenId;
result.chosen = await outcome(xapi.sendStatement({ statement: chosen }));
result.chosenAgain = await outcome(xapi.sendStatement({ statement: chosen }));
result.chosenConflict = await outcome(
  xapi.sendStatement({ statement: { ...chosen, result: { score: { scaled: 0.9 } } } }),
);
result.chosenRead = await outcome(xapi.getStatement({ statementId: chosenId }));

// A batch: ids in statement order.
const batch = [1, 2, 3, 4].map((raw) => completed({ result: { score: { raw } } }));
batch.push({ actor, verb: XAPI.Verbs.PASSED, object: { id: course } });
batch.push(completed({ object: { id: other } }));
result.batch = await outcome(xapi.sendStatements({ statements: batch }));
result.batchReads = [];
for (const id of result.batch.ok ? result.batch.data : []) {
  result.batchReads.push(await outcome(xapi.getStatement({ statementId: id })));
}

// Query agent + verb + activity two at a time and follow `more` to the end.
result.pages = [];
let page = await outcome(xapi.getStatements({ agent: actor, verb: XAPI.Verbs.COMPLETED.id, activity: course, limit: 2 }));
result.pages.push(page);
while (page.ok && page.data.more && result.pages.length < 20) {
  page = await outcome(xapi.getMoreStatements({ more: page.data.more }));
  result.pages.push(page);
}

// Void the first batch statement.
const targetId = result.batch.data?.[0];
result.voidTarget = targetId;
result.void = await outcome(xapi.voidStatement({ actor, statementId: targetId }));
result.afterVoid = {
  get: await outcome(xapi.getStatement({ statementId: targetId })),
  getVoided: await outcome(xapi.getVoidedStatement({ voidedStatementId: targetId })),
  voidingRead: await outcome(xapi.getStatement({ statementId: result.void.data?.[0] })),
  byActivity: await outcome(xapi.getStatements({ activity: course })),
  byVoidedVerb: await outcome(xapi.getStatements({ agent: actor, verb: XAPI.Verbs.VOIDED.id })),
};

// The Agents and Activities resources, and the library's cache buster: an extra `cachebuster`
// query parameter, which Communication 3.2 requires an LRS to reject.
result.agentResource = await outcome(xapi.getAgent({ agent: actor }));
result.activityResource = await outcome(xapi.getActivity({ activityId: course }));
result.cacheBuster = await outcome(xapi.getStatements({ agent: actor, useCacheBuster: true }));

print(result);
