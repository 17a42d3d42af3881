"""Validate deployment descriptors before any cloud sees them.

- Kubernetes manifests: against the Kubernetes API's own schemas (`kubernetes-validate`,
  strict: an unknown field is an error, as `kubectl apply --validate=strict` makes it).
- Cloud Run service YAML: against the fields Cloud Run documents for `gcloud run services
  replace` (`schemas/cloudrun-service.schema.json`).
- Elastic Beanstalk: `Dockerrun.aws.json` (version 1) against the Docker platform's documented
  keys, and `.ebextensions/*.config` option namespaces against the ones the platform knows.

Every function returns a list of one-line problems; empty means valid.
"""

from __future__ import annotations

import json
from pathlib import Path

from launchpad.yamlfile import documents

SCHEMAS = Path(__file__).parent / "schemas"
# The Kubernetes version the manifests are checked against: a version every big cloud still runs.
KUBERNETES_VERSION = "1.33.0"
# Option namespaces the course's Elastic Beanstalk settings may use (the platform's reference).
EB_NAMESPACES = {
    "aws:elasticbeanstalk:environment",
    "aws:elasticbeanstalk:environment:process:default",
    "aws:elasticbeanstalk:application:environment",
    "aws:elasticbeanstalk:command",
    "aws:elasticbeanstalk:healthreporting:system",
    "aws:elasticbeanstalk:cloudwatch:logs",
    "aws:autoscaling:launchconfiguration",
    "aws:autoscaling:asg",
    "aws:autoscaling:trigger",
    "aws:ec2:instances",
}


def _schema_problems(instance, schema_name: str, label: str) -> list[str]:
    import jsonschema

    schema = json.loads((SCHEMAS / schema_name).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"{label}: {'.'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    ]


def kubernetes_problems(path: Path) -> list[str]:
    """Strict schema validation of every resource in a manifest file."""
    import kubernetes_validate

    problems = []
    try:
        resources = documents(path)
    except ValueError as error:
        return [str(error)]
    for resource in resources:
        kind = resource.get("kind", "?") if isinstance(resource, dict) else "?"
        try:
            kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = ".".join(map(str, error.path)) or "(top)"
            problems.append(f"{path.name} {kind}: {where}: {error.message}")
        except (kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError):
            problems.append(
                f"{path.name}: no Kubernetes {KUBERNETES_VERSION} schema for "
                f"apiVersion {resource.get('apiVersion')!r}, kind {kind!r}."
            )
    return problems


def cloudrun_problems(path: Path) -> list[str]:
    try:
        docs = documents(path)
    except ValueError as error:
        return [str(error)]
    if len(docs) != 1:
        return [f"{path.name} must hold exactly one Cloud Run service, not {len(docs)}."]
    return _schema_problems(docs[0], "cloudrun-service.schema.json", path.name)


def beanstalk_problems(bundle: Path) -> list[str]:
    """A Docker platform source bundle: Dockerrun.aws.json and .ebextensions/*.config."""
    dockerrun = bundle / "Dockerrun.aws.json"
    if not dockerrun.exists():
        return [f"{bundle.name}/ has no Dockerrun.aws.json."]
    try:
        problems = _schema_problems(
            json.loads(dockerrun.read_text()), "dockerrun-v1.schema.json", dockerrun.name
        )
    except json.JSONDecodeError as error:
        return [f"Dockerrun.aws.json is not valid JSON: {error}"]
    for config in sorted((bundle / ".ebextensions").glob("*.config")):
        try:
            [settings] = documents(config) or [{}]
        except ValueError as error:
            problems.append(str(error))
            continue
        for namespace in (settings or {}).get("option_settings", {}):
            if namespace not in EB_NAMESPACES:
                problems.append(f"{config.name}: unknown option namespace {namespace!r}.")
    return problems
