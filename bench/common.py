"""What the benches share."""


def database_create(db):
    """Create the bench's database on the server `db` (a DATABASES entry) names, if missing."""
    import psycopg

    server = {
        key: db[name]
        for key, name in (("host", "HOST"), ("port", "PORT"), ("user", "USER"), ("password", "PASSWORD"))
        if db.get(name)
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
            print(f"created database {db['NAME']}", flush=True)
