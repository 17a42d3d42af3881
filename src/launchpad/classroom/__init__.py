"""The live classroom (`make classroom`): an instructor sees the room's progress as it happens.

- `events`: what one check sends, and the limits every field is held to (both sides use them);
- `outbox`: the learner's side. After `launchpad join`, every `qN.check()` queues its verdict in
  the workspace and sends the queue in the background; nothing is sent without the join, and
  checking works as before when the classroom is unreachable (the queue waits, none lost);
- `store`: the instructor's side, the room in one sqlite file (it survives a restart; an event
  id is stored once, so a re-sent queue duplicates nothing);
- `board`: what the instructor's page shows, computed from the store;
- `server`: the FastAPI app (join, events, the page, CSV export) and `serve`, which runs it.

Only `outbox` is imported by the checks; it uses the standard library alone.
"""
