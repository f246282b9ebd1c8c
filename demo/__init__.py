"""``make demo``: Tandem on SQLite beside a demo LMS built on a real LTI 1.3 platform (lti1p3platform)."""
