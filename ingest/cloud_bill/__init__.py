"""Cloud bills → ``raw.cur_line_items`` (AWS CUR 2.0 and CUR 1) and ``raw.focus_line_items`` (FOCUS, any cloud).

- deliveries.py: which files make a CUR delivery (AWS's manifests), and the fingerprint of a delivery;
- cur2.py / cur1.py: one CUR 2.0 (Parquet/CSV) or CUR 1 (CSV) data file → CUR_LINE_ITEMS; cur.py: either format,
  a delivery or one bare file; cur2_dictionary.py: AWS's CUR 2.0 column list; line_items.py: what both share;
- focus.py: FOCUS 1.0–1.2 files from any provider → FOCUS_LINE_ITEMS;
- files.py: what every bill file needs (decompression, Parquet/CSV opening, money, timestamps, tags, identity).
"""
