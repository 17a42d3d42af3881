"""The course manifest, `course.yml`: each module's number, slug, title, minutes, prerequisites
and objectives, and the workshop agendas. Everything that lists modules reads it:

- `manifest`: the file read into typed objects (`load()`), or refused with the field named;
- `agenda`: an agenda laid out in time, with its totals and homework;
- `markdown`: the site's generated parts (the hook `docs/hooks/course.py` expands them);
- `sync`: the copies that must exist as files (README table, notebook titles), rewritten by
  `python -m launchpad.course`.
"""

from launchpad.course.manifest import COURSE_FILE, Course, CourseError, Module, load

__all__ = ["COURSE_FILE", "Course", "CourseError", "Module", "load"]
