"""NYSE full-day closures on weekdays, 1971-01-01..2100-12-31. Generated: do not edit.

Computed by holidays 0.109 (its NYSE financial calendar) and written by
``python -m tests.support.nyse_closures --write``; a test fails when this table is not
what the locked holidays version computes. Weekends are closed by rule and not listed.
"""

#: ISO dates, oldest first; the comment is the library's name for the closure.
CLOSED_WEEKDAYS = (
    "1971-01-01",  # New Year's Day
    "1971-02-15",  # Washington's Birthday
    "1971-04-09",  # Good Friday
    "1971-05-31",  # Memorial Day
    "1971-07-05",  # Independence Day (observed)
    "1971-09-06",  # Labor Day
    "1971-11-25",  # Thanksgiving Day
    "1971-12-24",  # Christmas Day (observed)
    "1972-02-21",  # Washington's Birthday
    "1972-03-31",  # Good Friday
    "1972-05-29",  # Memorial Day
    "1972-07-04",  # Independence Day
    "1972-09-04",  # Labor Day
    "1972-11-07",  # Election Day
    "1972-11-23",  # Thanksgiving Day
    "1972-12-25",  # Christmas Day
    "1972-12-28",  # Funeral of former President Harry S. Truman
    "1973-01-01",  # New Year's Day
    "1973-01-25",  # Funeral of former President Lyndon B. Johnson
    "1973-02-19",  # Washington's Birthday
    "1973-04-20",  # Good Friday
    "1973-05-28",  # Memorial Day
    "1973-07-04",  # Independence Day
    "1973-09-03",  # Labor Day
    "1973-11-22",  # Thanksgiving Day
    "1973-12-25",  # Christmas Day
    "1974-01-01",  # New Year's Day
    "1974-02-18",  # Washington's Birthday
    "1974-04-12",  # Good Friday
    "1974-05-27",  # Memorial Day
    "1974-07-04",  # Independence Day
    "1974-09-02",  # Labor Day
    "1974-11-28",  # Thanksgiving Day
    "1974-12-25",  # Christmas Day
    "1975-01-01",  # New Year's Day
    "1975-02-17",  # Washington's Birthday
    "1975-03-28",  # Good Friday
    "1975-05-26",  # Memorial Day
    "1975-07-04",  # Independence Day
    "1975-09-01",  # Labor Day
    "1975-11-27",  # Thanksgiving Day
    "1975-12-25",  # Christmas Day
    "1976-01-01",  # New Year's Day
    "1976-02-16",  # Washington's Birthday
    "1976-04-16",  # Good Friday
    "1976-05-31",  # Memorial Day
    "1976-07-05",  # Independence Day (observed)
    "1976-09-06",  # Labor Day
    "1976-11-02",  # Election Day
    "1976-11-25",  # Thanksgiving Day
    "1976-12-24",  # Christmas Day (observed)
    "1977-02-21",  # Washington's Birthday
    "1977-04-08",  # Good Friday
    "1977-05-30",  # Memorial Day
    "1977-07-04",  # Independence Day
    "1977-07-14",  # Blackout in New York City
    "1977-09-05",  # Labor Day
    "1977-11-24",  # Thanksgiving Day
    "1977-12-26",  # Christmas Day (observed)
    "1978-01-02",  # New Year's Day (observed)
    "1978-02-20",  # Washington's Birthday
    "1978-03-24",  # Good Friday
    "1978-05-29",  # Memorial Day
    "1978-07-04",  # Independence Day
    "1978-09-04",  # Labor Day
    "1978-11-23",  # Thanksgiving Day
    "1978-12-25",  # Christmas Day
    "1979-01-01",  # New Year's Day
    "1979-02-19",  # Washington's Birthday
    "1979-04-13",  # Good Friday
    "1979-05-28",  # Memorial Day
    "1979-07-04",  # Independence Day
    "1979-09-03",  # Labor Day
    "1979-11-22",  # Thanksgiving Day
    "1979-12-25",  # Christmas Day
    "1980-01-01",  # New Year's Day
    "1980-02-18",  # Washington's Birthday
    "1980-04-04",  # Good Friday
    "1980-05-26",  # Memorial Day
    "1980-07-04",  # Independence Day
    "1980-09-01",  # Labor Day
    "1980-11-04",  # Election Day
    "1980-11-27",  # Thanksgiving Day
    "1980-12-25",  # Christmas Day
    "1981-01-01",  # New Year's Day
    "1981-02-16",  # Washington's Birthday
    "1981-04-17",  # Good Friday
    "1981-05-25",  # Memorial Day
    "1981-07-03",  # Independence Day (observed)
    "1981-09-07",  # Labor Day
    "1981-11-26",  # Thanksgiving Day
    "1981-12-25",  # Christmas Day
    "1982-01-01",  # New Year's Day
    "1982-02-15",  # Washington's Birthday
    "1982-04-09",  # Good Friday
    "1982-05-31",  # Memorial Day
    "1982-07-05",  # Independence Day (observed)
    "1982-09-06",  # Labor Day
    "1982-11-25",  # Thanksgiving Day
    "1982-12-24",  # Christmas Day (observed)
    "1983-02-21",  # Washington's Birthday
    "1983-04-01",  # Good Friday
    "1983-05-30",  # Memorial Day
    "1983-07-04",  # Independence Day
    "1983-09-05",  # Labor Day
    "1983-11-24",  # Thanksgiving Day
    "1983-12-26",  # Christmas Day (observed)
    "1984-01-02",  # New Year's Day (observed)
    "1984-02-20",  # Washington's Birthday
    "1984-04-20",  # Good Friday
    "1984-05-28",  # Memorial Day
    "1984-07-04",  # Independence Day
    "1984-09-03",  # Labor Day
    "1984-11-22",  # Thanksgiving Day
    "1984-12-25",  # Christmas Day
    "1985-01-01",  # New Year's Day
    "1985-02-18",  # Washington's Birthday
    "1985-04-05",  # Good Friday
    "1985-05-27",  # Memorial Day
    "1985-07-04",  # Independence Day
    "1985-09-02",  # Labor Day
    "1985-09-27",  # Hurricane Gloria
    "1985-11-28",  # Thanksgiving Day
    "1985-12-25",  # Christmas Day
    "1986-01-01",  # New Year's Day
    "1986-02-17",  # Washington's Birthday
    "1986-03-28",  # Good Friday
    "1986-05-26",  # Memorial Day
    "1986-07-04",  # Independence Day
    "1986-09-01",  # Labor Day
    "1986-11-27",  # Thanksgiving Day
    "1986-12-25",  # Christmas Day
    "1987-01-01",  # New Year's Day
    "1987-02-16",  # Washington's Birthday
    "1987-04-17",  # Good Friday
    "1987-05-25",  # Memorial Day
    "1987-07-03",  # Independence Day (observed)
    "1987-09-07",  # Labor Day
    "1987-11-26",  # Thanksgiving Day
    "1987-12-25",  # Christmas Day
    "1988-01-01",  # New Year's Day
    "1988-02-15",  # Washington's Birthday
    "1988-04-01",  # Good Friday
    "1988-05-30",  # Memorial Day
    "1988-07-04",  # Independence Day
    "1988-09-05",  # Labor Day
    "1988-11-24",  # Thanksgiving Day
    "1988-12-26",  # Christmas Day (observed)
    "1989-01-02",  # New Year's Day (observed)
    "1989-02-20",  # Washington's Birthday
    "1989-03-24",  # Good Friday
    "1989-05-29",  # Memorial Day
    "1989-07-04",  # Independence Day
    "1989-09-04",  # Labor Day
    "1989-11-23",  # Thanksgiving Day
    "1989-12-25",  # Christmas Day
    "1990-01-01",  # New Year's Day
    "1990-02-19",  # Washington's Birthday
    "1990-04-13",  # Good Friday
    "1990-05-28",  # Memorial Day
    "1990-07-04",  # Independence Day
    "1990-09-03",  # Labor Day
    "1990-11-22",  # Thanksgiving Day
    "1990-12-25",  # Christmas Day
    "1991-01-01",  # New Year's Day
    "1991-02-18",  # Washington's Birthday
    "1991-03-29",  # Good Friday
    "1991-05-27",  # Memorial Day
    "1991-07-04",  # Independence Day
    "1991-09-02",  # Labor Day
    "1991-11-28",  # Thanksgiving Day
    "1991-12-25",  # Christmas Day
    "1992-01-01",  # New Year's Day
    "1992-02-17",  # Washington's Birthday
    "1992-04-17",  # Good Friday
    "1992-05-25",  # Memorial Day
    "1992-07-03",  # Independence Day (observed)
    "1992-09-07",  # Labor Day
    "1992-11-26",  # Thanksgiving Day
    "1992-12-25",  # Christmas Day
    "1993-01-01",  # New Year's Day
    "1993-02-15",  # Washington's Birthday
    "1993-04-09",  # Good Friday
    "1993-05-31",  # Memorial Day
    "1993-07-05",  # Independence Day (observed)
    "1993-09-06",  # Labor Day
    "1993-11-25",  # Thanksgiving Day
    "1993-12-24",  # Christmas Day (observed)
    "1994-02-21",  # Washington's Birthday
    "1994-04-01",  # Good Friday
    "1994-04-27",  # Funeral of former President Richard M. Nixon
    "1994-05-30",  # Memorial Day
    "1994-07-04",  # Independence Day
    "1994-09-05",  # Labor Day
    "1994-11-24",  # Thanksgiving Day
    "1994-12-26",  # Christmas Day (observed)
    "1995-01-02",  # New Year's Day (observed)
    "1995-02-20",  # Washington's Birthday
    "1995-04-14",  # Good Friday
    "1995-05-29",  # Memorial Day
    "1995-07-04",  # Independence Day
    "1995-09-04",  # Labor Day
    "1995-11-23",  # Thanksgiving Day
    "1995-12-25",  # Christmas Day
    "1996-01-01",  # New Year's Day
    "1996-02-19",  # Washington's Birthday
    "1996-04-05",  # Good Friday
    "1996-05-27",  # Memorial Day
    "1996-07-04",  # Independence Day
    "1996-09-02",  # Labor Day
    "1996-11-28",  # Thanksgiving Day
    "1996-12-25",  # Christmas Day
    "1997-01-01",  # New Year's Day
    "1997-02-17",  # Washington's Birthday
    "1997-03-28",  # Good Friday
    "1997-05-26",  # Memorial Day
    "1997-07-04",  # Independence Day
    "1997-09-01",  # Labor Day
    "1997-11-27",  # Thanksgiving Day
    "1997-12-25",  # Christmas Day
    "1998-01-01",  # New Year's Day
    "1998-01-19",  # Martin Luther King Jr. Day
    "1998-02-16",  # Washington's Birthday
    "1998-04-10",  # Good Friday
    "1998-05-25",  # Memorial Day
    "1998-07-03",  # Independence Day (observed)
    "1998-09-07",  # Labor Day
    "1998-11-26",  # Thanksgiving Day
    "1998-12-25",  # Christmas Day
    "1999-01-01",  # New Year's Day
    "1999-01-18",  # Martin Luther King Jr. Day
    "1999-02-15",  # Washington's Birthday
    "1999-04-02",  # Good Friday
    "1999-05-31",  # Memorial Day
    "1999-07-05",  # Independence Day (observed)
    "1999-09-06",  # Labor Day
    "1999-11-25",  # Thanksgiving Day
    "1999-12-24",  # Christmas Day (observed)
    "2000-01-17",  # Martin Luther King Jr. Day
    "2000-02-21",  # Washington's Birthday
    "2000-04-21",  # Good Friday
    "2000-05-29",  # Memorial Day
    "2000-07-04",  # Independence Day
    "2000-09-04",  # Labor Day
    "2000-11-23",  # Thanksgiving Day
    "2000-12-25",  # Christmas Day
    "2001-01-01",  # New Year's Day
    "2001-01-15",  # Martin Luther King Jr. Day
    "2001-02-19",  # Washington's Birthday
    "2001-04-13",  # Good Friday
    "2001-05-28",  # Memorial Day
    "2001-07-04",  # Independence Day
    "2001-09-03",  # Labor Day
    "2001-09-11",  # Closed following Attacks on the World Trade Center
    "2001-09-12",  # Closed following Attacks on the World Trade Center
    "2001-09-13",  # Closed following Attacks on the World Trade Center
    "2001-09-14",  # Closed following Attacks on the World Trade Center
    "2001-11-22",  # Thanksgiving Day
    "2001-12-25",  # Christmas Day
    "2002-01-01",  # New Year's Day
    "2002-01-21",  # Martin Luther King Jr. Day
    "2002-02-18",  # Washington's Birthday
    "2002-03-29",  # Good Friday
    "2002-05-27",  # Memorial Day
    "2002-07-04",  # Independence Day
    "2002-09-02",  # Labor Day
    "2002-11-28",  # Thanksgiving Day
    "2002-12-25",  # Christmas Day
    "2003-01-01",  # New Year's Day
    "2003-01-20",  # Martin Luther King Jr. Day
    "2003-02-17",  # Washington's Birthday
    "2003-04-18",  # Good Friday
    "2003-05-26",  # Memorial Day
    "2003-07-04",  # Independence Day
    "2003-09-01",  # Labor Day
    "2003-11-27",  # Thanksgiving Day
    "2003-12-25",  # Christmas Day
    "2004-01-01",  # New Year's Day
    "2004-01-19",  # Martin Luther King Jr. Day
    "2004-02-16",  # Washington's Birthday
    "2004-04-09",  # Good Friday
    "2004-05-31",  # Memorial Day
    "2004-06-11",  # National Day of Mourning for former President Ronald Reagan
    "2004-07-05",  # Independence Day (observed)
    "2004-09-06",  # Labor Day
    "2004-11-25",  # Thanksgiving Day
    "2004-12-24",  # Christmas Day (observed)
    "2005-01-17",  # Martin Luther King Jr. Day
    "2005-02-21",  # Washington's Birthday
    "2005-03-25",  # Good Friday
    "2005-05-30",  # Memorial Day
    "2005-07-04",  # Independence Day
    "2005-09-05",  # Labor Day
    "2005-11-24",  # Thanksgiving Day
    "2005-12-26",  # Christmas Day (observed)
    "2006-01-02",  # New Year's Day (observed)
    "2006-01-16",  # Martin Luther King Jr. Day
    "2006-02-20",  # Washington's Birthday
    "2006-04-14",  # Good Friday
    "2006-05-29",  # Memorial Day
    "2006-07-04",  # Independence Day
    "2006-09-04",  # Labor Day
    "2006-11-23",  # Thanksgiving Day
    "2006-12-25",  # Christmas Day
    "2007-01-01",  # New Year's Day
    "2007-01-02",  # National Day of Mourning for former President Gerald R. Ford
    "2007-01-15",  # Martin Luther King Jr. Day
    "2007-02-19",  # Washington's Birthday
    "2007-04-06",  # Good Friday
    "2007-05-28",  # Memorial Day
    "2007-07-04",  # Independence Day
    "2007-09-03",  # Labor Day
    "2007-11-22",  # Thanksgiving Day
    "2007-12-25",  # Christmas Day
    "2008-01-01",  # New Year's Day
    "2008-01-21",  # Martin Luther King Jr. Day
    "2008-02-18",  # Washington's Birthday
    "2008-03-21",  # Good Friday
    "2008-05-26",  # Memorial Day
    "2008-07-04",  # Independence Day
    "2008-09-01",  # Labor Day
    "2008-11-27",  # Thanksgiving Day
    "2008-12-25",  # Christmas Day
    "2009-01-01",  # New Year's Day
    "2009-01-19",  # Martin Luther King Jr. Day
    "2009-02-16",  # Washington's Birthday
    "2009-04-10",  # Good Friday
    "2009-05-25",  # Memorial Day
    "2009-07-03",  # Independence Day (observed)
    "2009-09-07",  # Labor Day
    "2009-11-26",  # Thanksgiving Day
    "2009-12-25",  # Christmas Day
    "2010-01-01",  # New Year's Day
    "2010-01-18",  # Martin Luther King Jr. Day
    "2010-02-15",  # Washington's Birthday
    "2010-04-02",  # Good Friday
    "2010-05-31",  # Memorial Day
    "2010-07-05",  # Independence Day (observed)
    "2010-09-06",  # Labor Day
    "2010-11-25",  # Thanksgiving Day
    "2010-12-24",  # Christmas Day (observed)
    "2011-01-17",  # Martin Luther King Jr. Day
    "2011-02-21",  # Washington's Birthday
    "2011-04-22",  # Good Friday
    "2011-05-30",  # Memorial Day
    "2011-07-04",  # Independence Day
    "2011-09-05",  # Labor Day
    "2011-11-24",  # Thanksgiving Day
    "2011-12-26",  # Christmas Day (observed)
    "2012-01-02",  # New Year's Day (observed)
    "2012-01-16",  # Martin Luther King Jr. Day
    "2012-02-20",  # Washington's Birthday
    "2012-04-06",  # Good Friday
    "2012-05-28",  # Memorial Day
    "2012-07-04",  # Independence Day
    "2012-09-03",  # Labor Day
    "2012-10-29",  # Hurricane Sandy
    "2012-10-30",  # Hurricane Sandy
    "2012-11-22",  # Thanksgiving Day
    "2012-12-25",  # Christmas Day
    "2013-01-01",  # New Year's Day
    "2013-01-21",  # Martin Luther King Jr. Day
    "2013-02-18",  # Washington's Birthday
    "2013-03-29",  # Good Friday
    "2013-05-27",  # Memorial Day
    "2013-07-04",  # Independence Day
    "2013-09-02",  # Labor Day
    "2013-11-28",  # Thanksgiving Day
    "2013-12-25",  # Christmas Day
    "2014-01-01",  # New Year's Day
    "2014-01-20",  # Martin Luther King Jr. Day
    "2014-02-17",  # Washington's Birthday
    "2014-04-18",  # Good Friday
    "2014-05-26",  # Memorial Day
    "2014-07-04",  # Independence Day
    "2014-09-01",  # Labor Day
    "2014-11-27",  # Thanksgiving Day
    "2014-12-25",  # Christmas Day
    "2015-01-01",  # New Year's Day
    "2015-01-19",  # Martin Luther King Jr. Day
    "2015-02-16",  # Washington's Birthday
    "2015-04-03",  # Good Friday
    "2015-05-25",  # Memorial Day
    "2015-07-03",  # Independence Day (observed)
    "2015-09-07",  # Labor Day
    "2015-11-26",  # Thanksgiving Day
    "2015-12-25",  # Christmas Day
    "2016-01-01",  # New Year's Day
    "2016-01-18",  # Martin Luther King Jr. Day
    "2016-02-15",  # Washington's Birthday
    "2016-03-25",  # Good Friday
    "2016-05-30",  # Memorial Day
    "2016-07-04",  # Independence Day
    "2016-09-05",  # Labor Day
    "2016-11-24",  # Thanksgiving Day
    "2016-12-26",  # Christmas Day (observed)
    "2017-01-02",  # New Year's Day (observed)
    "2017-01-16",  # Martin Luther King Jr. Day
    "2017-02-20",  # Washington's Birthday
    "2017-04-14",  # Good Friday
    "2017-05-29",  # Memorial Day
    "2017-07-04",  # Independence Day
    "2017-09-04",  # Labor Day
    "2017-11-23",  # Thanksgiving Day
    "2017-12-25",  # Christmas Day
    "2018-01-01",  # New Year's Day
    "2018-01-15",  # Martin Luther King Jr. Day
    "2018-02-19",  # Washington's Birthday
    "2018-03-30",  # Good Friday
    "2018-05-28",  # Memorial Day
    "2018-07-04",  # Independence Day
    "2018-09-03",  # Labor Day
    "2018-11-22",  # Thanksgiving Day
    "2018-12-05",  # National Day of Mourning for former President George H. W. Bush
    "2018-12-25",  # Christmas Day
    "2019-01-01",  # New Year's Day
    "2019-01-21",  # Martin Luther King Jr. Day
    "2019-02-18",  # Washington's Birthday
    "2019-04-19",  # Good Friday
    "2019-05-27",  # Memorial Day
    "2019-07-04",  # Independence Day
    "2019-09-02",  # Labor Day
    "2019-11-28",  # Thanksgiving Day
    "2019-12-25",  # Christmas Day
    "2020-01-01",  # New Year's Day
    "2020-01-20",  # Martin Luther King Jr. Day
    "2020-02-17",  # Washington's Birthday
    "2020-04-10",  # Good Friday
    "2020-05-25",  # Memorial Day
    "2020-07-03",  # Independence Day (observed)
    "2020-09-07",  # Labor Day
    "2020-11-26",  # Thanksgiving Day
    "2020-12-25",  # Christmas Day
    "2021-01-01",  # New Year's Day
    "2021-01-18",  # Martin Luther King Jr. Day
    "2021-02-15",  # Washington's Birthday
    "2021-04-02",  # Good Friday
    "2021-05-31",  # Memorial Day
    "2021-07-05",  # Independence Day (observed)
    "2021-09-06",  # Labor Day
    "2021-11-25",  # Thanksgiving Day
    "2021-12-24",  # Christmas Day (observed)
    "2022-01-17",  # Martin Luther King Jr. Day
    "2022-02-21",  # Washington's Birthday
    "2022-04-15",  # Good Friday
    "2022-05-30",  # Memorial Day
    "2022-06-20",  # Juneteenth National Independence Day (observed)
    "2022-07-04",  # Independence Day
    "2022-09-05",  # Labor Day
    "2022-11-24",  # Thanksgiving Day
    "2022-12-26",  # Christmas Day (observed)
    "2023-01-02",  # New Year's Day (observed)
    "2023-01-16",  # Martin Luther King Jr. Day
    "2023-02-20",  # Washington's Birthday
    "2023-04-07",  # Good Friday
    "2023-05-29",  # Memorial Day
    "2023-06-19",  # Juneteenth National Independence Day
    "2023-07-04",  # Independence Day
    "2023-09-04",  # Labor Day
    "2023-11-23",  # Thanksgiving Day
    "2023-12-25",  # Christmas Day
    "2024-01-01",  # New Year's Day
    "2024-01-15",  # Martin Luther King Jr. Day
    "2024-02-19",  # Washington's Birthday
    "2024-03-29",  # Good Friday
    "2024-05-27",  # Memorial Day
    "2024-06-19",  # Juneteenth National Independence Day
    "2024-07-04",  # Independence Day
    "2024-09-02",  # Labor Day
    "2024-11-28",  # Thanksgiving Day
    "2024-12-25",  # Christmas Day
    "2025-01-01",  # New Year's Day
    "2025-01-09",  # National Day of Mourning for former President Jimmy Carter
    "2025-01-20",  # Martin Luther King Jr. Day
    "2025-02-17",  # Washington's Birthday
    "2025-04-18",  # Good Friday
    "2025-05-26",  # Memorial Day
    "2025-06-19",  # Juneteenth National Independence Day
    "2025-07-04",  # Independence Day
    "2025-09-01",  # Labor Day
    "2025-11-27",  # Thanksgiving Day
    "2025-12-25",  # Christmas Day
    "2026-01-01",  # New Year's Day
    "2026-01-19",  # Martin Luther King Jr. Day
    "2026-02-16",  # Washington's Birthday
    "2026-04-03",  # Good Friday
    "2026-05-25",  # Memorial Day
    "2026-06-19",  # Juneteenth National Independence Day
    "2026-07-03",  # Independence Day (observed)
    "2026-09-07",  # Labor Day
    "2026-11-26",  # Thanksgiving Day
    "2026-12-25",  # Christmas Day
    "2027-01-01",  # New Year's Day
    "2027-01-18",  # Martin Luther King Jr. Day
    "2027-02-15",  # Washington's Birthday
    "2027-03-26",  # Good Friday
    "2027-05-31",  # Memorial Day
    "2027-06-18",  # Juneteenth National Independence Day (observed)
    "2027-07-05",  # Independence Day (observed)
    "2027-09-06",  # Labor Day
    "2027-11-25",  # Thanksgiving Day
    "2027-12-24",  # Christmas Day (observed)
    "2028-01-17",  # Martin Luther King Jr. Day
    "2028-02-21",  # Washington's Birthday
    "2028-04-14",  # Good Friday
    "2028-05-29",  # Memorial Day
    "2028-06-19",  # Juneteenth National Independence Day
    "2028-07-04",  # Independence Day
    "2028-09-04",  # Labor Day
    "2028-11-23",  # Thanksgiving Day
    "2028-12-25",  # Christmas Day
    "2029-01-01",  # New Year's Day
    "2029-01-15",  # Martin Luther King Jr. Day
    "2029-02-19",  # Washington's Birthday
    "2029-03-30",  # Good Friday
    "2029-05-28",  # Memorial Day
    "2029-06-19",  # Juneteenth National Independence Day
    "2029-07-04",  # Independence Day
    "2029-09-03",  # Labor Day
    "2029-11-22",  # Thanksgiving Day
    "2029-12-25",  # Christmas Day
    "2030-01-01",  # New Year's Day
    "2030-01-21",  # Martin Luther King Jr. Day
    "2030-02-18",  # Washington's Birthday
    "2030-04-19",  # Good Friday
    "2030-05-27",  # Memorial Day
    "2030-06-19",  # Juneteenth National Independence Day
    "2030-07-04",  # Independence Day
    "2030-09-02",  # Labor Day
    "2030-11-28",  # Thanksgiving Day
    "2030-12-25",  # Christmas Day
    "2031-01-01",  # New Year's Day
    "2031-01-20",  # Martin Luther King Jr. Day
    "2031-02-17",  # Washington's Birthday
    "2031-04-11",  # Good Friday
    "2031-05-26",  # Memorial Day
    "2031-06-19",  # Juneteenth National Independence Day
    "2031-07-04",  # Independence Day
    "2031-09-01",  # Labor Day
    "2031-11-27",  # Thanksgiving Day
    "2031-12-25",  # Christmas Day
    "2032-01-01",  # New Year's Day
    "2032-01-19",  # Martin Luther King Jr. Day
    "2032-02-16",  # Washington's Birthday
    "2032-03-26",  # Good Friday
    "2032-05-31",  # Memorial Day
    "2032-06-18",  # Juneteenth National Independence Day (observed)
    "2032-07-05",  # Independence Day (observed)
    "2032-09-06",  # Labor Day
    "2032-11-25",  # Thanksgiving Day
    "2032-12-24",  # Christmas Day (observed)
    "2033-01-17",  # Martin Luther King Jr. Day
    "2033-02-21",  # Washington's Birthday
    "2033-04-15",  # Good Friday
    "2033-05-30",  # Memorial Day
    "2033-06-20",  # Juneteenth National Independence Day (observed)
    "2033-07-04",  # Independence Day
    "2033-09-05",  # Labor Day
    "2033-11-24",  # Thanksgiving Day
    "2033-12-26",  # Christmas Day (observed)
    "2034-01-02",  # New Year's Day (observed)
    "2034-01-16",  # Martin Luther King Jr. Day
    "2034-02-20",  # Washington's Birthday
    "2034-04-07",  # Good Friday
    "2034-05-29",  # Memorial Day
    "2034-06-19",  # Juneteenth National Independence Day
    "2034-07-04",  # Independence Day
    "2034-09-04",  # Labor Day
    "2034-11-23",  # Thanksgiving Day
    "2034-12-25",  # Christmas Day
    "2035-01-01",  # New Year's Day
    "2035-01-15",  # Martin Luther King Jr. Day
    "2035-02-19",  # Washington's Birthday
    "2035-03-23",  # Good Friday
    "2035-05-28",  # Memorial Day
    "2035-06-19",  # Juneteenth National Independence Day
    "2035-07-04",  # Independence Day
    "2035-09-03",  # Labor Day
    "2035-11-22",  # Thanksgiving Day
    "2035-12-25",  # Christmas Day
    "2036-01-01",  # New Year's Day
    "2036-01-21",  # Martin Luther King Jr. Day
    "2036-02-18",  # Washington's Birthday
    "2036-04-11",  # Good Friday
    "2036-05-26",  # Memorial Day
    "2036-06-19",  # Juneteenth National Independence Day
    "2036-07-04",  # Independence Day
    "2036-09-01",  # Labor Day
    "2036-11-27",  # Thanksgiving Day
    "2036-12-25",  # Christmas Day
    "2037-01-01",  # New Year's Day
    "2037-01-19",  # Martin Luther King Jr. Day
    "2037-02-16",  # Washington's Birthday
    "2037-04-03",  # Good Friday
    "2037-05-25",  # Memorial Day
    "2037-06-19",  # Juneteenth National Independence Day
    "2037-07-03",  # Independence Day (observed)
    "2037-09-07",  # Labor Day
    "2037-11-26",  # Thanksgiving Day
    "2037-12-25",  # Christmas Day
    "2038-01-01",  # New Year's Day
    "2038-01-18",  # Martin Luther King Jr. Day
    "2038-02-15",  # Washington's Birthday
    "2038-04-23",  # Good Friday
    "2038-05-31",  # Memorial Day
    "2038-06-18",  # Juneteenth National Independence Day (observed)
    "2038-07-05",  # Independence Day (observed)
    "2038-09-06",  # Labor Day
    "2038-11-25",  # Thanksgiving Day
    "2038-12-24",  # Christmas Day (observed)
    "2039-01-17",  # Martin Luther King Jr. Day
    "2039-02-21",  # Washington's Birthday
    "2039-04-08",  # Good Friday
    "2039-05-30",  # Memorial Day
    "2039-06-20",  # Juneteenth National Independence Day (observed)
    "2039-07-04",  # Independence Day
    "2039-09-05",  # Labor Day
    "2039-11-24",  # Thanksgiving Day
    "2039-12-26",  # Christmas Day (observed)
    "2040-01-02",  # New Year's Day (observed)
    "2040-01-16",  # Martin Luther King Jr. Day
    "2040-02-20",  # Washington's Birthday
    "2040-03-30",  # Good Friday
    "2040-05-28",  # Memorial Day
    "2040-06-19",  # Juneteenth National Independence Day
    "2040-07-04",  # Independence Day
    "2040-09-03",  # Labor Day
    "2040-11-22",  # Thanksgiving Day
    "2040-12-25",  # Christmas Day
    "2041-01-01",  # New Year's Day
    "2041-01-21",  # Martin Luther King Jr. Day
    "2041-02-18",  # Washington's Birthday
    "2041-04-19",  # Good Friday
    "2041-05-27",  # Memorial Day
    "2041-06-19",  # Juneteenth National Independence Day
    "2041-07-04",  # Independence Day
    "2041-09-02",  # Labor Day
    "2041-11-28",  # Thanksgiving Day
    "2041-12-25",  # Christmas Day
    "2042-01-01",  # New Year's Day
    "2042-01-20",  # Martin Luther King Jr. Day
    "2042-02-17",  # Washington's Birthday
    "2042-04-04",  # Good Friday
    "2042-05-26",  # Memorial Day
    "2042-06-19",  # Juneteenth National Independence Day
    "2042-07-04",  # Independence Day
    "2042-09-01",  # Labor Day
    "2042-11-27",  # Thanksgiving Day
    "2042-12-25",  # Christmas Day
    "2043-01-01",  # New Year's Day
    "2043-01-19",  # Martin Luther King Jr. Day
    "2043-02-16",  # Washington's Birthday
    "2043-03-27",  # Good Friday
    "2043-05-25",  # Memorial Day
    "2043-06-19",  # Juneteenth National Independence Day
    "2043-07-03",  # Independence Day (observed)
    "2043-09-07",  # Labor Day
    "2043-11-26",  # Thanksgiving Day
    "2043-12-25",  # Christmas Day
    "2044-01-01",  # New Year's Day
    "2044-01-18",  # Martin Luther King Jr. Day
    "2044-02-15",  # Washington's Birthday
    "2044-04-15",  # Good Friday
    "2044-05-30",  # Memorial Day
    "2044-06-20",  # Juneteenth National Independence Day (observed)
    "2044-07-04",  # Independence Day
    "2044-09-05",  # Labor Day
    "2044-11-24",  # Thanksgiving Day
    "2044-12-26",  # Christmas Day (observed)
    "2045-01-02",  # New Year's Day (observed)
    "2045-01-16",  # Martin Luther King Jr. Day
    "2045-02-20",  # Washington's Birthday
    "2045-04-07",  # Good Friday
    "2045-05-29",  # Memorial Day
    "2045-06-19",  # Juneteenth National Independence Day
    "2045-07-04",  # Independence Day
    "2045-09-04",  # Labor Day
    "2045-11-23",  # Thanksgiving Day
    "2045-12-25",  # Christmas Day
    "2046-01-01",  # New Year's Day
    "2046-01-15",  # Martin Luther King Jr. Day
    "2046-02-19",  # Washington's Birthday
    "2046-03-23",  # Good Friday
    "2046-05-28",  # Memorial Day
    "2046-06-19",  # Juneteenth National Independence Day
    "2046-07-04",  # Independence Day
    "2046-09-03",  # Labor Day
    "2046-11-22",  # Thanksgiving Day
    "2046-12-25",  # Christmas Day
    "2047-01-01",  # New Year's Day
    "2047-01-21",  # Martin Luther King Jr. Day
    "2047-02-18",  # Washington's Birthday
    "2047-04-12",  # Good Friday
    "2047-05-27",  # Memorial Day
    "2047-06-19",  # Juneteenth National Independence Day
    "2047-07-04",  # Independence Day
    "2047-09-02",  # Labor Day
    "2047-11-28",  # Thanksgiving Day
    "2047-12-25",  # Christmas Day
    "2048-01-01",  # New Year's Day
    "2048-01-20",  # Martin Luther King Jr. Day
    "2048-02-17",  # Washington's Birthday
    "2048-04-03",  # Good Friday
    "2048-05-25",  # Memorial Day
    "2048-06-19",  # Juneteenth National Independence Day
    "2048-07-03",  # Independence Day (observed)
    "2048-09-07",  # Labor Day
    "2048-11-26",  # Thanksgiving Day
    "2048-12-25",  # Christmas Day
    "2049-01-01",  # New Year's Day
    "2049-01-18",  # Martin Luther King Jr. Day
    "2049-02-15",  # Washington's Birthday
    "2049-04-16",  # Good Friday
    "2049-05-31",  # Memorial Day
    "2049-06-18",  # Juneteenth National Independence Day (observed)
    "2049-07-05",  # Independence Day (observed)
    "2049-09-06",  # Labor Day
    "2049-11-25",  # Thanksgiving Day
    "2049-12-24",  # Christmas Day (observed)
    "2050-01-17",  # Martin Luther King Jr. Day
    "2050-02-21",  # Washington's Birthday
    "2050-04-08",  # Good Friday
    "2050-05-30",  # Memorial Day
    "2050-06-20",  # Juneteenth National Independence Day (observed)
    "2050-07-04",  # Independence Day
    "2050-09-05",  # Labor Day
    "2050-11-24",  # Thanksgiving Day
    "2050-12-26",  # Christmas Day (observed)
    "2051-01-02",  # New Year's Day (observed)
    "2051-01-16",  # Martin Luther King Jr. Day
    "2051-02-20",  # Washington's Birthday
    "2051-03-31",  # Good Friday
    "2051-05-29",  # Memorial Day
    "2051-06-19",  # Juneteenth National Independence Day
    "2051-07-04",  # Independence Day
    "2051-09-04",  # Labor Day
    "2051-11-23",  # Thanksgiving Day
    "2051-12-25",  # Christmas Day
    "2052-01-01",  # New Year's Day
    "2052-01-15",  # Martin Luther King Jr. Day
    "2052-02-19",  # Washington's Birthday
    "2052-04-19",  # Good Friday
    "2052-05-27",  # Memorial Day
    "2052-06-19",  # Juneteenth National Independence Day
    "2052-07-04",  # Independence Day
    "2052-09-02",  # Labor Day
    "2052-11-28",  # Thanksgiving Day
    "2052-12-25",  # Christmas Day
    "2053-01-01",  # New Year's Day
    "2053-01-20",  # Martin Luther King Jr. Day
    "2053-02-17",  # Washington's Birthday
    "2053-04-04",  # Good Friday
    "2053-05-26",  # Memorial Day
    "2053-06-19",  # Juneteenth National Independence Day
    "2053-07-04",  # Independence Day
    "2053-09-01",  # Labor Day
    "2053-11-27",  # Thanksgiving Day
    "2053-12-25",  # Christmas Day
    "2054-01-01",  # New Year's Day
    "2054-01-19",  # Martin Luther King Jr. Day
    "2054-02-16",  # Washington's Birthday
    "2054-03-27",  # Good Friday
    "2054-05-25",  # Memorial Day
    "2054-06-19",  # Juneteenth National Independence Day
    "2054-07-03",  # Independence Day (observed)
    "2054-09-07",  # Labor Day
    "2054-11-26",  # Thanksgiving Day
    "2054-12-25",  # Christmas Day
    "2055-01-01",  # New Year's Day
    "2055-01-18",  # Martin Luther King Jr. Day
    "2055-02-15",  # Washington's Birthday
    "2055-04-16",  # Good Friday
    "2055-05-31",  # Memorial Day
    "2055-06-18",  # Juneteenth National Independence Day (observed)
    "2055-07-05",  # Independence Day (observed)
    "2055-09-06",  # Labor Day
    "2055-11-25",  # Thanksgiving Day
    "2055-12-24",  # Christmas Day (observed)
    "2056-01-17",  # Martin Luther King Jr. Day
    "2056-02-21",  # Washington's Birthday
    "2056-03-31",  # Good Friday
    "2056-05-29",  # Memorial Day
    "2056-06-19",  # Juneteenth National Independence Day
    "2056-07-04",  # Independence Day
    "2056-09-04",  # Labor Day
    "2056-11-23",  # Thanksgiving Day
    "2056-12-25",  # Christmas Day
    "2057-01-01",  # New Year's Day
    "2057-01-15",  # Martin Luther King Jr. Day
    "2057-02-19",  # Washington's Birthday
    "2057-04-20",  # Good Friday
    "2057-05-28",  # Memorial Day
    "2057-06-19",  # Juneteenth National Independence Day
    "2057-07-04",  # Independence Day
    "2057-09-03",  # Labor Day
    "2057-11-22",  # Thanksgiving Day
    "2057-12-25",  # Christmas Day
    "2058-01-01",  # New Year's Day
    "2058-01-21",  # Martin Luther King Jr. Day
    "2058-02-18",  # Washington's Birthday
    "2058-04-12",  # Good Friday
    "2058-05-27",  # Memorial Day
    "2058-06-19",  # Juneteenth National Independence Day
    "2058-07-04",  # Independence Day
    "2058-09-02",  # Labor Day
    "2058-11-28",  # Thanksgiving Day
    "2058-12-25",  # Christmas Day
    "2059-01-01",  # New Year's Day
    "2059-01-20",  # Martin Luther King Jr. Day
    "2059-02-17",  # Washington's Birthday
    "2059-03-28",  # Good Friday
    "2059-05-26",  # Memorial Day
    "2059-06-19",  # Juneteenth National Independence Day
    "2059-07-04",  # Independence Day
    "2059-09-01",  # Labor Day
    "2059-11-27",  # Thanksgiving Day
    "2059-12-25",  # Christmas Day
    "2060-01-01",  # New Year's Day
    "2060-01-19",  # Martin Luther King Jr. Day
    "2060-02-16",  # Washington's Birthday
    "2060-04-16",  # Good Friday
    "2060-05-31",  # Memorial Day
    "2060-06-18",  # Juneteenth National Independence Day (observed)
    "2060-07-05",  # Independence Day (observed)
    "2060-09-06",  # Labor Day
    "2060-11-25",  # Thanksgiving Day
    "2060-12-24",  # Christmas Day (observed)
    "2061-01-17",  # Martin Luther King Jr. Day
    "2061-02-21",  # Washington's Birthday
    "2061-04-08",  # Good Friday
    "2061-05-30",  # Memorial Day
    "2061-06-20",  # Juneteenth National Independence Day (observed)
    "2061-07-04",  # Independence Day
    "2061-09-05",  # Labor Day
    "2061-11-24",  # Thanksgiving Day
    "2061-12-26",  # Christmas Day (observed)
    "2062-01-02",  # New Year's Day (observed)
    "2062-01-16",  # Martin Luther King Jr. Day
    "2062-02-20",  # Washington's Birthday
    "2062-03-24",  # Good Friday
    "2062-05-29",  # Memorial Day
    "2062-06-19",  # Juneteenth National Independence Day
    "2062-07-04",  # Independence Day
    "2062-09-04",  # Labor Day
    "2062-11-23",  # Thanksgiving Day
    "2062-12-25",  # Christmas Day
    "2063-01-01",  # New Year's Day
    "2063-01-15",  # Martin Luther King Jr. Day
    "2063-02-19",  # Washington's Birthday
    "2063-04-13",  # Good Friday
    "2063-05-28",  # Memorial Day
    "2063-06-19",  # Juneteenth National Independence Day
    "2063-07-04",  # Independence Day
    "2063-09-03",  # Labor Day
    "2063-11-22",  # Thanksgiving Day
    "2063-12-25",  # Christmas Day
    "2064-01-01",  # New Year's Day
    "2064-01-21",  # Martin Luther King Jr. Day
    "2064-02-18",  # Washington's Birthday
    "2064-04-04",  # Good Friday
    "2064-05-26",  # Memorial Day
    "2064-06-19",  # Juneteenth National Independence Day
    "2064-07-04",  # Independence Day
    "2064-09-01",  # Labor Day
    "2064-11-27",  # Thanksgiving Day
    "2064-12-25",  # Christmas Day
    "2065-01-01",  # New Year's Day
    "2065-01-19",  # Martin Luther King Jr. Day
    "2065-02-16",  # Washington's Birthday
    "2065-03-27",  # Good Friday
    "2065-05-25",  # Memorial Day
    "2065-06-19",  # Juneteenth National Independence Day
    "2065-07-03",  # Independence Day (observed)
    "2065-09-07",  # Labor Day
    "2065-11-26",  # Thanksgiving Day
    "2065-12-25",  # Christmas Day
    "2066-01-01",  # New Year's Day
    "2066-01-18",  # Martin Luther King Jr. Day
    "2066-02-15",  # Washington's Birthday
    "2066-04-09",  # Good Friday
    "2066-05-31",  # Memorial Day
    "2066-06-18",  # Juneteenth National Independence Day (observed)
    "2066-07-05",  # Independence Day (observed)
    "2066-09-06",  # Labor Day
    "2066-11-25",  # Thanksgiving Day
    "2066-12-24",  # Christmas Day (observed)
    "2067-01-17",  # Martin Luther King Jr. Day
    "2067-02-21",  # Washington's Birthday
    "2067-04-01",  # Good Friday
    "2067-05-30",  # Memorial Day
    "2067-06-20",  # Juneteenth National Independence Day (observed)
    "2067-07-04",  # Independence Day
    "2067-09-05",  # Labor Day
    "2067-11-24",  # Thanksgiving Day
    "2067-12-26",  # Christmas Day (observed)
    "2068-01-02",  # New Year's Day (observed)
    "2068-01-16",  # Martin Luther King Jr. Day
    "2068-02-20",  # Washington's Birthday
    "2068-04-20",  # Good Friday
    "2068-05-28",  # Memorial Day
    "2068-06-19",  # Juneteenth National Independence Day
    "2068-07-04",  # Independence Day
    "2068-09-03",  # Labor Day
    "2068-11-22",  # Thanksgiving Day
    "2068-12-25",  # Christmas Day
    "2069-01-01",  # New Year's Day
    "2069-01-21",  # Martin Luther King Jr. Day
    "2069-02-18",  # Washington's Birthday
    "2069-04-12",  # Good Friday
    "2069-05-27",  # Memorial Day
    "2069-06-19",  # Juneteenth National Independence Day
    "2069-07-04",  # Independence Day
    "2069-09-02",  # Labor Day
    "2069-11-28",  # Thanksgiving Day
    "2069-12-25",  # Christmas Day
    "2070-01-01",  # New Year's Day
    "2070-01-20",  # Martin Luther King Jr. Day
    "2070-02-17",  # Washington's Birthday
    "2070-03-28",  # Good Friday
    "2070-05-26",  # Memorial Day
    "2070-06-19",  # Juneteenth National Independence Day
    "2070-07-04",  # Independence Day
    "2070-09-01",  # Labor Day
    "2070-11-27",  # Thanksgiving Day
    "2070-12-25",  # Christmas Day
    "2071-01-01",  # New Year's Day
    "2071-01-19",  # Martin Luther King Jr. Day
    "2071-02-16",  # Washington's Birthday
    "2071-04-17",  # Good Friday
    "2071-05-25",  # Memorial Day
    "2071-06-19",  # Juneteenth National Independence Day
    "2071-07-03",  # Independence Day (observed)
    "2071-09-07",  # Labor Day
    "2071-11-26",  # Thanksgiving Day
    "2071-12-25",  # Christmas Day
    "2072-01-01",  # New Year's Day
    "2072-01-18",  # Martin Luther King Jr. Day
    "2072-02-15",  # Washington's Birthday
    "2072-04-08",  # Good Friday
    "2072-05-30",  # Memorial Day
    "2072-06-20",  # Juneteenth National Independence Day (observed)
    "2072-07-04",  # Independence Day
    "2072-09-05",  # Labor Day
    "2072-11-24",  # Thanksgiving Day
    "2072-12-26",  # Christmas Day (observed)
    "2073-01-02",  # New Year's Day (observed)
    "2073-01-16",  # Martin Luther King Jr. Day
    "2073-02-20",  # Washington's Birthday
    "2073-03-24",  # Good Friday
    "2073-05-29",  # Memorial Day
    "2073-06-19",  # Juneteenth National Independence Day
    "2073-07-04",  # Independence Day
    "2073-09-04",  # Labor Day
    "2073-11-23",  # Thanksgiving Day
    "2073-12-25",  # Christmas Day
    "2074-01-01",  # New Year's Day
    "2074-01-15",  # Martin Luther King Jr. Day
    "2074-02-19",  # Washington's Birthday
    "2074-04-13",  # Good Friday
    "2074-05-28",  # Memorial Day
    "2074-06-19",  # Juneteenth National Independence Day
    "2074-07-04",  # Independence Day
    "2074-09-03",  # Labor Day
    "2074-11-22",  # Thanksgiving Day
    "2074-12-25",  # Christmas Day
    "2075-01-01",  # New Year's Day
    "2075-01-21",  # Martin Luther King Jr. Day
    "2075-02-18",  # Washington's Birthday
    "2075-04-05",  # Good Friday
    "2075-05-27",  # Memorial Day
    "2075-06-19",  # Juneteenth National Independence Day
    "2075-07-04",  # Independence Day
    "2075-09-02",  # Labor Day
    "2075-11-28",  # Thanksgiving Day
    "2075-12-25",  # Christmas Day
    "2076-01-01",  # New Year's Day
    "2076-01-20",  # Martin Luther King Jr. Day
    "2076-02-17",  # Washington's Birthday
    "2076-04-17",  # Good Friday
    "2076-05-25",  # Memorial Day
    "2076-06-19",  # Juneteenth National Independence Day
    "2076-07-03",  # Independence Day (observed)
    "2076-09-07",  # Labor Day
    "2076-11-26",  # Thanksgiving Day
    "2076-12-25",  # Christmas Day
    "2077-01-01",  # New Year's Day
    "2077-01-18",  # Martin Luther King Jr. Day
    "2077-02-15",  # Washington's Birthday
    "2077-04-09",  # Good Friday
    "2077-05-31",  # Memorial Day
    "2077-06-18",  # Juneteenth National Independence Day (observed)
    "2077-07-05",  # Independence Day (observed)
    "2077-09-06",  # Labor Day
    "2077-11-25",  # Thanksgiving Day
    "2077-12-24",  # Christmas Day (observed)
    "2078-01-17",  # Martin Luther King Jr. Day
    "2078-02-21",  # Washington's Birthday
    "2078-04-01",  # Good Friday
    "2078-05-30",  # Memorial Day
    "2078-06-20",  # Juneteenth National Independence Day (observed)
    "2078-07-04",  # Independence Day
    "2078-09-05",  # Labor Day
    "2078-11-24",  # Thanksgiving Day
    "2078-12-26",  # Christmas Day (observed)
    "2079-01-02",  # New Year's Day (observed)
    "2079-01-16",  # Martin Luther King Jr. Day
    "2079-02-20",  # Washington's Birthday
    "2079-04-21",  # Good Friday
    "2079-05-29",  # Memorial Day
    "2079-06-19",  # Juneteenth National Independence Day
    "2079-07-04",  # Independence Day
    "2079-09-04",  # Labor Day
    "2079-11-23",  # Thanksgiving Day
    "2079-12-25",  # Christmas Day
    "2080-01-01",  # New Year's Day
    "2080-01-15",  # Martin Luther King Jr. Day
    "2080-02-19",  # Washington's Birthday
    "2080-04-05",  # Good Friday
    "2080-05-27",  # Memorial Day
    "2080-06-19",  # Juneteenth National Independence Day
    "2080-07-04",  # Independence Day
    "2080-09-02",  # Labor Day
    "2080-11-28",  # Thanksgiving Day
    "2080-12-25",  # Christmas Day
    "2081-01-01",  # New Year's Day
    "2081-01-20",  # Martin Luther King Jr. Day
    "2081-02-17",  # Washington's Birthday
    "2081-03-28",  # Good Friday
    "2081-05-26",  # Memorial Day
    "2081-06-19",  # Juneteenth National Independence Day
    "2081-07-04",  # Independence Day
    "2081-09-01",  # Labor Day
    "2081-11-27",  # Thanksgiving Day
    "2081-12-25",  # Christmas Day
    "2082-01-01",  # New Year's Day
    "2082-01-19",  # Martin Luther King Jr. Day
    "2082-02-16",  # Washington's Birthday
    "2082-04-17",  # Good Friday
    "2082-05-25",  # Memorial Day
    "2082-06-19",  # Juneteenth National Independence Day
    "2082-07-03",  # Independence Day (observed)
    "2082-09-07",  # Labor Day
    "2082-11-26",  # Thanksgiving Day
    "2082-12-25",  # Christmas Day
    "2083-01-01",  # New Year's Day
    "2083-01-18",  # Martin Luther King Jr. Day
    "2083-02-15",  # Washington's Birthday
    "2083-04-02",  # Good Friday
    "2083-05-31",  # Memorial Day
    "2083-06-18",  # Juneteenth National Independence Day (observed)
    "2083-07-05",  # Independence Day (observed)
    "2083-09-06",  # Labor Day
    "2083-11-25",  # Thanksgiving Day
    "2083-12-24",  # Christmas Day (observed)
    "2084-01-17",  # Martin Luther King Jr. Day
    "2084-02-21",  # Washington's Birthday
    "2084-03-24",  # Good Friday
    "2084-05-29",  # Memorial Day
    "2084-06-19",  # Juneteenth National Independence Day
    "2084-07-04",  # Independence Day
    "2084-09-04",  # Labor Day
    "2084-11-23",  # Thanksgiving Day
    "2084-12-25",  # Christmas Day
    "2085-01-01",  # New Year's Day
    "2085-01-15",  # Martin Luther King Jr. Day
    "2085-02-19",  # Washington's Birthday
    "2085-04-13",  # Good Friday
    "2085-05-28",  # Memorial Day
    "2085-06-19",  # Juneteenth National Independence Day
    "2085-07-04",  # Independence Day
    "2085-09-03",  # Labor Day
    "2085-11-22",  # Thanksgiving Day
    "2085-12-25",  # Christmas Day
    "2086-01-01",  # New Year's Day
    "2086-01-21",  # Martin Luther King Jr. Day
    "2086-02-18",  # Washington's Birthday
    "2086-03-29",  # Good Friday
    "2086-05-27",  # Memorial Day
    "2086-06-19",  # Juneteenth National Independence Day
    "2086-07-04",  # Independence Day
    "2086-09-02",  # Labor Day
    "2086-11-28",  # Thanksgiving Day
    "2086-12-25",  # Christmas Day
    "2087-01-01",  # New Year's Day
    "2087-01-20",  # Martin Luther King Jr. Day
    "2087-02-17",  # Washington's Birthday
    "2087-04-18",  # Good Friday
    "2087-05-26",  # Memorial Day
    "2087-06-19",  # Juneteenth National Independence Day
    "2087-07-04",  # Independence Day
    "2087-09-01",  # Labor Day
    "2087-11-27",  # Thanksgiving Day
    "2087-12-25",  # Christmas Day
    "2088-01-01",  # New Year's Day
    "2088-01-19",  # Martin Luther King Jr. Day
    "2088-02-16",  # Washington's Birthday
    "2088-04-09",  # Good Friday
    "2088-05-31",  # Memorial Day
    "2088-06-18",  # Juneteenth National Independence Day (observed)
    "2088-07-05",  # Independence Day (observed)
    "2088-09-06",  # Labor Day
    "2088-11-25",  # Thanksgiving Day
    "2088-12-24",  # Christmas Day (observed)
    "2089-01-17",  # Martin Luther King Jr. Day
    "2089-02-21",  # Washington's Birthday
    "2089-04-01",  # Good Friday
    "2089-05-30",  # Memorial Day
    "2089-06-20",  # Juneteenth National Independence Day (observed)
    "2089-07-04",  # Independence Day
    "2089-09-05",  # Labor Day
    "2089-11-24",  # Thanksgiving Day
    "2089-12-26",  # Christmas Day (observed)
    "2090-01-02",  # New Year's Day (observed)
    "2090-01-16",  # Martin Luther King Jr. Day
    "2090-02-20",  # Washington's Birthday
    "2090-04-14",  # Good Friday
    "2090-05-29",  # Memorial Day
    "2090-06-19",  # Juneteenth National Independence Day
    "2090-07-04",  # Independence Day
    "2090-09-04",  # Labor Day
    "2090-11-23",  # Thanksgiving Day
    "2090-12-25",  # Christmas Day
    "2091-01-01",  # New Year's Day
    "2091-01-15",  # Martin Luther King Jr. Day
    "2091-02-19",  # Washington's Birthday
    "2091-04-06",  # Good Friday
    "2091-05-28",  # Memorial Day
    "2091-06-19",  # Juneteenth National Independence Day
    "2091-07-04",  # Independence Day
    "2091-09-03",  # Labor Day
    "2091-11-22",  # Thanksgiving Day
    "2091-12-25",  # Christmas Day
    "2092-01-01",  # New Year's Day
    "2092-01-21",  # Martin Luther King Jr. Day
    "2092-02-18",  # Washington's Birthday
    "2092-03-28",  # Good Friday
    "2092-05-26",  # Memorial Day
    "2092-06-19",  # Juneteenth National Independence Day
    "2092-07-04",  # Independence Day
    "2092-09-01",  # Labor Day
    "2092-11-27",  # Thanksgiving Day
    "2092-12-25",  # Christmas Day
    "2093-01-01",  # New Year's Day
    "2093-01-19",  # Martin Luther King Jr. Day
    "2093-02-16",  # Washington's Birthday
    "2093-04-10",  # Good Friday
    "2093-05-25",  # Memorial Day
    "2093-06-19",  # Juneteenth National Independence Day
    "2093-07-03",  # Independence Day (observed)
    "2093-09-07",  # Labor Day
    "2093-11-26",  # Thanksgiving Day
    "2093-12-25",  # Christmas Day
    "2094-01-01",  # New Year's Day
    "2094-01-18",  # Martin Luther King Jr. Day
    "2094-02-15",  # Washington's Birthday
    "2094-04-02",  # Good Friday
    "2094-05-31",  # Memorial Day
    "2094-06-18",  # Juneteenth National Independence Day (observed)
    "2094-07-05",  # Independence Day (observed)
    "2094-09-06",  # Labor Day
    "2094-11-25",  # Thanksgiving Day
    "2094-12-24",  # Christmas Day (observed)
    "2095-01-17",  # Martin Luther King Jr. Day
    "2095-02-21",  # Washington's Birthday
    "2095-04-22",  # Good Friday
    "2095-05-30",  # Memorial Day
    "2095-06-20",  # Juneteenth National Independence Day (observed)
    "2095-07-04",  # Independence Day
    "2095-09-05",  # Labor Day
    "2095-11-24",  # Thanksgiving Day
    "2095-12-26",  # Christmas Day (observed)
    "2096-01-02",  # New Year's Day (observed)
    "2096-01-16",  # Martin Luther King Jr. Day
    "2096-02-20",  # Washington's Birthday
    "2096-04-13",  # Good Friday
    "2096-05-28",  # Memorial Day
    "2096-06-19",  # Juneteenth National Independence Day
    "2096-07-04",  # Independence Day
    "2096-09-03",  # Labor Day
    "2096-11-22",  # Thanksgiving Day
    "2096-12-25",  # Christmas Day
    "2097-01-01",  # New Year's Day
    "2097-01-21",  # Martin Luther King Jr. Day
    "2097-02-18",  # Washington's Birthday
    "2097-03-29",  # Good Friday
    "2097-05-27",  # Memorial Day
    "2097-06-19",  # Juneteenth National Independence Day
    "2097-07-04",  # Independence Day
    "2097-09-02",  # Labor Day
    "2097-11-28",  # Thanksgiving Day
    "2097-12-25",  # Christmas Day
    "2098-01-01",  # New Year's Day
    "2098-01-20",  # Martin Luther King Jr. Day
    "2098-02-17",  # Washington's Birthday
    "2098-04-18",  # Good Friday
    "2098-05-26",  # Memorial Day
    "2098-06-19",  # Juneteenth National Independence Day
    "2098-07-04",  # Independence Day
    "2098-09-01",  # Labor Day
    "2098-11-27",  # Thanksgiving Day
    "2098-12-25",  # Christmas Day
    "2099-01-01",  # New Year's Day
    "2099-01-19",  # Martin Luther King Jr. Day
    "2099-02-16",  # Washington's Birthday
    "2099-04-10",  # Good Friday
    "2099-05-25",  # Memorial Day
    "2099-06-19",  # Juneteenth National Independence Day
    "2099-07-03",  # Independence Day (observed)
    "2099-09-07",  # Labor Day
    "2099-11-26",  # Thanksgiving Day
    "2099-12-25",  # Christmas Day
    "2100-01-01",  # New Year's Day
    "2100-01-18",  # Martin Luther King Jr. Day
    "2100-02-15",  # Washington's Birthday
    "2100-03-26",  # Good Friday
    "2100-05-31",  # Memorial Day
    "2100-06-18",  # Juneteenth National Independence Day (observed)
    "2100-07-05",  # Independence Day (observed)
    "2100-09-06",  # Labor Day
    "2100-11-25",  # Thanksgiving Day
    "2100-12-24",  # Christmas Day (observed)
)
