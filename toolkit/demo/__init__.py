"""Sample data and the demo: realistic workbooks for trying the toolkit, and every job run on them.

from toolkit.demo import run_demo
run_demo("demo-run")          # what `toolkit demo demo-run` and `scripts/demo` do
"""

from toolkit.demo.run import DEMO_AS_OF, prepare, run_demo

__all__ = ["DEMO_AS_OF", "prepare", "run_demo"]
