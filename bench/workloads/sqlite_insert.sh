# sqlite3 :memory:, 100000 rows inserted by one statement each in one transaction, then queried.
{
  echo "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, value REAL);"
  echo "BEGIN;"
  seq 1 100000 | awk '{ printf "INSERT INTO t(name, value) VALUES (\x27row-%d\x27, %d.5);\n", $1, $1 }'
  echo "COMMIT;"
  echo "SELECT count(*), sum(value), max(name) FROM t;"
} | sqlite3 :memory:
