// State, activity profile and agent profile documents through xapijs (default axios adapter),
// with the ETag preconditions of Communication 3.1.
import { randomUUID } from "node:crypto";
import { args, client, outcome, print, sleep, tag } from "./lib.mjs";

const xapi = client(args());
const run = tag();
const agent = { objectType: "Agent", mbox: `mailto:cleo-${run}@example.com` };
const activityId = `http://example.com/e2e/${run}/courses/forklift`;
const registration = randomUUID();
const etagOf = (o) => o.headers?.etag;

// --- state ---------------------------------------------------------------------------------
const state = { registration };
const stateKey = { agent, activityId, registration };
state.put = await outcome(xapi.setState({ ...stateKey, stateId: "progress", state: { slide: 4, score: 0.5 } }));
state.putText = await outcome(
  xapi.setState({ ...stateKey, stateId: "notes", state: "plain notes, ünïcode", contentType: "text/plain" }),
);
state.putOtherRegistration = await outcome(
  xapi.setState({ agent, activityId, registration: randomUUID(), stateId: "progress", state: { slide: 1 } }),
);
state.get = await outcome(xapi.getState({ ...stateKey, stateId: "progress" }));
state.getText = await outcome(xapi.getState({ ...stateKey, stateId: "notes" }));
state.ids = await outcome(xapi.getStates(stateKey));
state.idsAllRegistrations = await outcome(xapi.getStates({ agent, activityId }));
// POST merges JSON objects (Communication 2.2).
state.post = await outcome(xapi.createState({ ...stateKey, stateId: "progress", state: { score: 0.75, done: true } }));
state.afterPost = await outcome(xapi.getState({ ...stateKey, stateId: "progress" }));
// The State resource honours If-Match when a client sends it.
state.putStale = await outcome(
  xapi.setState({ ...stateKey, stateId: "progress", state: { slide: 99 }, etag: etagOf(state.get), matchHeader: "If-Match" }),
);
state.putCurrent = await outcome(
  xapi.setState({ ...stateKey, stateId: "progress", state: { slide: 5 }, etag: etagOf(state.afterPost), matchHeader: "If-Match" }),
);
state.afterPut = await outcome(xapi.getState({ ...stateKey, stateId: "progress" }));
state.delete = await outcome(xapi.deleteState({ ...stateKey, stateId: "progress" }));
state.afterDelete = await outcome(xapi.getState({ ...stateKey, stateId: "progress" }));
state.deleteAll = await outcome(xapi.deleteStates(stateKey));
state.idsAfterDeleteAll = await outcome(xapi.getStates(stateKey));
state.idsOtherRegistrationKept = await outcome(xapi.getStates({ agent, activityId }));

// --- profiles ------------------------------------------------------------------------------
async function profileLifecycle(api) {
  const r = {};
  r.createNoneMatch = await outcome(api.set("settings", { theme: "dark", size: 1 }, "*", "If-None-Match"));
  r.createAgain = await outcome(api.set("settings", { theme: "light" }, "*", "If-None-Match"));
  r.get = await outcome(api.get("settings"));
  r.updateCurrent = await outcome(api.set("settings", { theme: "light", size: 2 }, etagOf(r.get), "If-Match"));
  r.afterUpdate = await outcome(api.get("settings"));
  r.updateStale = await outcome(api.set("settings", { theme: "stale" }, etagOf(r.get), "If-Match"));
  r.afterStale = await outcome(api.get("settings"));
  // POST merges top-level properties into the stored JSON object.
  r.merge = await outcome(api.create("settings", { lang: "de" }, etagOf(r.afterUpdate), "If-Match"));
  r.afterMerge = await outcome(api.get("settings"));
  // A text document, written with its own content type.
  r.text = await outcome(api.set("readme", "Read me first.\nZweite Zeile: ä", "*", "If-None-Match", "text/plain"));
  r.getText = await outcome(api.get("readme"));
  await sleep(20);
  r.since = new Date().toISOString();
  await sleep(20);
  r.later = await outcome(api.set("later", { n: 1 }, "*", "If-None-Match"));
  r.ids = await outcome(api.list());
  r.idsSince = await outcome(api.list(r.since));
  r.deleteStale = await outcome(api.remove("settings", etagOf(r.get)));
  r.deleteCurrent = await outcome(api.remove("settings", etagOf(r.afterMerge)));
  r.afterDelete = await outcome(api.get("settings"));
  return r;
}

const activityProfile = await profileLifecycle({
  set: (profileId, profile, etag, matchHeader, contentType) =>
    xapi.setActivityProfile({ activityId, profileId, profile, etag, matchHeader, contentType }),
  create: (profileId, profile, etag, matchHeader) =>
    xapi.createActivityProfile({ activityId, profileId, profile, etag, matchHeader }),
  get: (profileId) => xapi.getActivityProfile({ activityId, profileId }),
  list: (since) => xapi.getActivityProfiles({ activityId, since }),
  remove: (profileId, etag) => xapi.deleteActivityProfile({ activityId, profileId, etag }),
});

const agentProfile = await profileLifecycle({
  set: (profileId, profile, etag, matchHeader, contentType) =>
    xapi.setAgentProfile({ agent, profileId, profile, etag, matchHeader, contentType }),
  create: (profileId, profile, etag, matchHeader) =>
    xapi.createAgentProfile({ agent, profileId, profile, etag, matchHeader }),
  get: (profileId) => xapi.getAgentProfile({ agent, profileId }),
  list: (since) => xapi.getAgentProfiles({ agent, since }),
  remove: (profileId, etag) => xapi.deleteAgentProfile({ agent, profileId, etag }),
});

print({ run, agent, activityId, state, activityProfile, agentProfile });
