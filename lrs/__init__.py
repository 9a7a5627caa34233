"""The shell: the app factory, the `lrs` command, the request context, problem documents,
input guards and migrations. The faces (`lrs.xapi`, `lrs.lti`, `hr_api`) sit on it and never
import each other."""
