# SPDX-License-Identifier: AGPL-3.0-or-later
"""Under CI a skipped test fails the run; on a developer's machine it stays a skip, summarised."""

from __future__ import annotations

import pytest

from config import BASE_DIR

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.single_database

A_TEST_THAT_NEEDS_A_MISSING_SERVICE = """
import pytest

def test_needs_redis():
    pytest.skip("Redis not reachable at redis://127.0.0.1:1")

@pytest.mark.xfail(reason="a known bug, not a missing service")
def test_known_bug():
    assert False
"""


@pytest.mark.parametrize(("ci", "failed", "skipped"), [("true", 1, 0), ("", 0, 1)])
def test_a_skip_is_a_failure_only_under_ci(pytester, monkeypatch, ci, failed, skipped):
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("PYTHONPATH", str(BASE_DIR))
    pytester.makepyfile(A_TEST_THAT_NEEDS_A_MISSING_SERVICE)

    result = pytester.runpytest_subprocess("-p", "tests.fixtures.strict", "-p", "no:cacheprovider")

    result.assert_outcomes(failed=failed, skipped=skipped, xfailed=1)
    if ci:
        result.stdout.fnmatch_lines(["*Under CI a skip is a failure*Redis not reachable*"])
    else:
        result.stdout.fnmatch_lines(["*1 tests skipped for want of a service or tool*"])
