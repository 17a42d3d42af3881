"""The learner's progress: `store` keeps the passed checks in the workspace; `views` shows them
(the dashboard, a report, one line for a workshop's chat)."""
