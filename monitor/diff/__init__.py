"""Statement diff: sentence alignment, redline, cosmetic detection and topic tagging.

``diff_statements(old, new, topics)`` returns the ``stmon.diff/1`` JSON object documented in
``monitor.diff.engine``. Everything here is a pure function over plain data.
"""

from monitor.diff.engine import diff_statements

__all__ = ["diff_statements"]
