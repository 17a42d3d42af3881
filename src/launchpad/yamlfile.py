"""Read the YAML files learners and the course write (workflows, descriptors, hook configs), and
say what is wrong with one in a single line that names the line number."""

from __future__ import annotations

from pathlib import Path

import yaml


class StrictLoader(yaml.SafeLoader):
    """Refuses a key given twice in one mapping, as the Kubernetes API server does. PyYAML would
    keep the last one silently: two resources with a forgotten `---` between them would merge."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        for number, key in enumerate(keys):
            if key in keys[:number]:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key!r} appears twice (a missing `---` between two resources?)",
                    node.value[number][0].start_mark,
                )
        return super().construct_mapping(node, deep=deep)


def problem(path: Path, error: yaml.YAMLError) -> str:
    """`name is not valid YAML (line N): what PyYAML found`, on one line."""
    mark = getattr(error, "problem_mark", None)
    where = f" (line {mark.line + 1})" if mark else ""
    return f"{path.name} is not valid YAML{where}: {getattr(error, 'problem', None) or error}"


def documents(path: Path) -> list:
    """The YAML documents in a file (a `---` separated file may hold several), duplicate keys
    refused; ValueError naming the line if the file is not valid YAML."""
    try:
        return [d for d in yaml.load_all(path.read_text(), Loader=StrictLoader) if d is not None]
    except yaml.YAMLError as error:
        raise ValueError(problem(path, error)) from error
