"""The department record: the one assessment per year the department sends to OPDC, and the images its texts
cite."""
