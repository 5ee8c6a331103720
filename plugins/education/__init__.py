"""Education: schools, pupils, teachers and exam results from school-management systems.

Two connector kinds: ``sql`` reads a school-management database, ``file`` the CSV or Excel
files that schools export. See README.md.
"""
