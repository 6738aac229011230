"""The clock at fixed moments in China, for date rules: New Year just begun (UTC still in the
old year), a leap day at both ends, mid-year, and the last half hour of a year."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from wxapp.china_time import CHINA

FIXED_MOMENTS = {
    "1 January 00:30": datetime(2027, 1, 1, 0, 30, tzinfo=CHINA),
    "29 February 2028 00:30": datetime(2028, 2, 29, 0, 30, tzinfo=CHINA),
    "29 February 2028 23:30": datetime(2028, 2, 29, 23, 30, tzinfo=CHINA),
    "30 June": datetime(2027, 6, 30, 10, 0, tzinfo=CHINA),
    "31 December 23:30": datetime(2026, 12, 31, 23, 30, tzinfo=CHINA),
    "31 December 23:50": datetime(2026, 12, 31, 23, 50, tzinfo=CHINA),
}
every_fixed_moment = pytest.mark.parametrize("moment", FIXED_MOMENTS.values(),
                                             ids=FIXED_MOMENTS.keys())


def at_china(moment: datetime):
    """The clock at `moment`, the server's zone left as it is (UTC): travelling with a named
    zone would also set TZ, and hide every date.today() that should be China's."""
    return time_machine.travel(moment.astimezone(UTC))
