package dev.plg360.jobs.activate;

import dev.plg360.common.tables.Col;
import dev.plg360.common.tables.TableDef;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL schema that receives the score tables: one table per Delta table, its catalog columns with proper
 * SQL types and comments, its catalog key as primary key, plus where each row came from (plg360_version,
 * plg360_run_id, plg360_synced_at). Changes are applied in batches, one transaction each, as keyed upserts
 * ({@code INSERT ... ON CONFLICT DO UPDATE}) and deletes, so applying a batch twice leaves the same rows. A batch the
 * server refuses for a passing reason (down, restarting, connection lost) is tried again after a growing wait.
 */
final class PgTarget implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PgTarget.class);

  /** Columns every target table has besides the catalog's. */
  static final String VERSION = "plg360_version";
  static final String RUN_ID = "plg360_run_id";
  static final String SYNCED_AT = "plg360_synced_at";

  private final ActivateSettings settings;
  private final String url;
  private Connection connection;

  PgTarget(ActivateSettings settings) {
    this.settings = settings;
    this.url = settings.requireUrl();
  }

  /** One change of a row: its values in catalog order, or a delete of its key. */
  record Change(boolean delete, Row row) {}

  /** Work done in one transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  static String table(ActivateSettings s, TableDef t) {
    return s.schema() + "." + t.name();
  }

  private String table(TableDef t) {
    return table(settings, t);
  }

  /**
   * Makes the schema and the table exist with every catalog column (adding columns a later catalog declares), and
   * says whether the table had to be created: then it holds nothing, and the whole source table must go.
   */
  boolean prepare(TableDef t) {
    return transaction("prepare " + table(t), c -> {
      boolean exists = exists(c, t);
      try (Statement st = c.createStatement()) {
        st.execute("CREATE SCHEMA IF NOT EXISTS " + settings.schema());
        if (!exists) {
          st.execute(createTable(t));
          st.execute("COMMENT ON TABLE " + table(t) + " IS " + literal(
              t.grain() + ". Delivered by plg360 activate from the Delta table " + t.qualifiedName() + "."));
          for (Col col : t.columns()) {
            comment(st, t, col.name(), col.comment());
          }
          comment(st, t, VERSION, "Delta version of " + t.qualifiedName() + " that delivered the row");
          comment(st, t, RUN_ID, "The plg360 activate run that delivered it");
          comment(st, t, SYNCED_AT, "When it was delivered, UTC");
          LOG.info("created {}", table(t));
        } else {
          Set<String> have = columns(c.getMetaData(), t);
          for (Col col : t.columns()) {
            if (!have.contains(col.name())) {
              st.execute("ALTER TABLE " + table(t) + " ADD COLUMN " + col.name() + " " + sqlType(col.type()));
              comment(st, t, col.name(), col.comment());
              LOG.info("{}: added column {}", table(t), col.name());
            }
          }
        }
      }
      return !exists;
    });
  }

  private boolean exists(Connection c, TableDef t) throws SQLException {
    try (ResultSet rs = c.getMetaData().getTables(null, settings.schema(), t.name(), new String[] {"TABLE"})) {
      return rs.next();
    }
  }

  private void comment(Statement st, TableDef t, String column, String text) throws SQLException {
    st.execute("COMMENT ON COLUMN " + table(t) + "." + column + " IS " + literal(text));
  }

  private Set<String> columns(DatabaseMetaData meta, TableDef t) throws SQLException {
    Set<String> out = new HashSet<>();
    try (ResultSet rs = meta.getColumns(null, settings.schema(), t.name(), null)) {
      while (rs.next()) {
        out.add(rs.getString("COLUMN_NAME"));
      }
    }
    return out;
  }

  private String createTable(TableDef t) {
    List<String> defs = new ArrayList<>();
    for (Col c : t.columns()) {
      defs.add(c.name() + " " + sqlType(c.type()) + (t.key().contains(c) ? " NOT NULL" : ""));
    }
    defs.add(VERSION + " bigint NOT NULL");
    defs.add(RUN_ID + " text NOT NULL");
    defs.add(SYNCED_AT + " timestamp with time zone NOT NULL");
    defs.add("PRIMARY KEY (" + names(t.key()) + ")");
    return "CREATE TABLE " + table(t) + " (\n  " + String.join(",\n  ", defs) + "\n)";
  }

  /** A catalog type and its PostgreSQL and JDBC types. */
  private record PgType(DataType spark, String sql, int jdbc) {}

  private static final List<PgType> TYPES = List.of(
      new PgType(DataTypes.StringType, "text", Types.VARCHAR),
      new PgType(DataTypes.DoubleType, "double precision", Types.DOUBLE),
      new PgType(DataTypes.IntegerType, "integer", Types.INTEGER),
      new PgType(DataTypes.LongType, "bigint", Types.BIGINT),
      new PgType(DataTypes.BooleanType, "boolean", Types.BOOLEAN),
      new PgType(DataTypes.DateType, "date", Types.DATE),
      new PgType(DataTypes.TimestampType, "timestamp with time zone", Types.TIMESTAMP_WITH_TIMEZONE),
      new PgType(DataTypes.createArrayType(DataTypes.StringType), "text[]", Types.ARRAY));

  private static PgType pgType(DataType type) {
    return TYPES.stream().filter(p -> p.spark().sameType(type)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no PostgreSQL type for " + type.simpleString()));
  }

  /** The PostgreSQL type of a catalog type. */
  static String sqlType(DataType type) {
    return pgType(type).sql();
  }

  /**
   * Applies a batch of changes in one transaction, tried again on a passing failure. Returns the rows upserted and
   * deleted.
   */
  long[] apply(TableDef t, List<Change> batch, long version, String runId, Instant syncedAt) {
    String what = batch.size() + " changes of " + table(t);
    return transaction(what, c -> {
      long upserted = 0;
      long deleted = 0;
      try (PreparedStatement up = c.prepareStatement(upsertSql(t));
           PreparedStatement del = c.prepareStatement(deleteSql(t))) {
        for (Change ch : batch) {
          if (ch.delete()) {
            int i = 1;
            for (Col k : t.key()) {
              bind(c, del, i++, k.type(), ch.row(), t.columns().indexOf(k));
            }
            del.addBatch();
            deleted++;
          } else {
            int i = 1;
            for (int col = 0; col < t.columns().size(); col++) {
              bind(c, up, i++, t.columns().get(col).type(), ch.row(), col);
            }
            up.setLong(i++, version);
            up.setString(i++, runId);
            up.setObject(i, syncedAt.atOffset(ZoneOffset.UTC));
            up.addBatch();
            upserted++;
          }
        }
        if (upserted > 0) {
          up.executeBatch();
        }
        if (deleted > 0) {
          del.executeBatch();
        }
      }
      return new long[] {upserted, deleted};
    });
  }

  /** Deletes the rows no batch of this run wrote: after a full delivery, the rows the source no longer has. */
  long deleteOthers(TableDef t, String runId) {
    return transaction("delete rows of " + table(t) + " not delivered by " + runId, c -> {
      try (PreparedStatement st = c.prepareStatement("DELETE FROM " + table(t) + " WHERE " + RUN_ID + " <> ?")) {
        st.setString(1, runId);
        return (long) st.executeUpdate();
      }
    });
  }

  /** Rows the target table holds (0 when it has none yet). */
  long rows(TableDef t) {
    return transaction("count " + table(t), c -> {
      if (!exists(c, t)) {
        return 0L;
      }
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table(t))) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  private String upsertSql(TableDef t) {
    List<String> cols = new ArrayList<>(t.columnNames());
    cols.addAll(List.of(VERSION, RUN_ID, SYNCED_AT));
    String set = cols.stream().filter(c -> t.key().stream().noneMatch(k -> k.name().equals(c)))
        .map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
    return "INSERT INTO " + table(t) + " (" + String.join(", ", cols) + ") VALUES ("
        + cols.stream().map(c -> "?").collect(Collectors.joining(", ")) + ") ON CONFLICT (" + names(t.key())
        + ") DO UPDATE SET " + set;
  }

  private String deleteSql(TableDef t) {
    return "DELETE FROM " + table(t) + " WHERE "
        + t.key().stream().map(k -> k.name() + " = ?").collect(Collectors.joining(" AND "));
  }

  private static String names(List<Col> cols) {
    return cols.stream().map(Col::name).collect(Collectors.joining(", "));
  }

  private static void bind(Connection c, PreparedStatement st, int i, DataType type, Row row, int col) throws SQLException {
    if (row.isNullAt(col)) {
      st.setNull(i, pgType(type).jdbc());
    } else if (type instanceof ArrayType) {
      Array a = c.createArrayOf("text", row.getList(col).toArray());
      st.setArray(i, a);
    } else if (type.sameType(DataTypes.DateType)) {
      st.setObject(i, row.getDate(col).toLocalDate());
    } else if (type.sameType(DataTypes.TimestampType)) {
      st.setObject(i, row.getTimestamp(col).toInstant().atOffset(ZoneOffset.UTC));
    } else {
      st.setObject(i, row.get(col));
    }
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  /**
   * Runs work in one transaction, committed at the end. A passing failure (the server down or restarting, the
   * connection lost, a serialisation conflict) rolls back, waits retry-wait (doubling each time) and runs it again,
   * up to plg360.activate.jdbc.retries times; then, or on any other failure, a {@link DeliveryException}.
   */
  <T> T transaction(String what, Work<T> work) {
    Duration wait = settings.retryWait();
    for (int attempt = 0; ; attempt++) {
      try {
        Connection c = connection();
        try {
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          rollback(c);
          throw e;
        }
      } catch (SQLException e) {
        dropConnection();
        boolean passing = passing(e);
        if (!passing || attempt >= settings.retries()) {
          throw new DeliveryException(ActivateSettings.withoutParameters(url) + " refused " + what + (passing
              ? " " + (attempt + 1) + " times" : "") + ": " + e.getMessage(), e);
        }
        LOG.warn("{} refused {} ({}); trying again in {} ({} of {})", ActivateSettings.withoutParameters(url), what,
            e.getMessage(), wait, attempt + 1, settings.retries());
        sleep(wait);
        wait = wait.multipliedBy(2);
      }
    }
  }

  /** A failure that another try may not meet: no connection, the server shutting down or busy, a conflict. */
  static boolean passing(SQLException e) {
    String state = e.getSQLState();
    if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
      return true;
    }
    return state != null && (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")
        || state.startsWith("40"));
  }

  private Connection connection() throws SQLException {
    if (connection != null && !connection.isValid((int) Math.max(1, settings.connectTimeout().toSeconds()))) {
      dropConnection(); // the server went away since the last batch: connect again
    }
    if (connection == null) {
      Properties p = new Properties();
      p.setProperty("user", settings.user());
      String password = ActivateSettings.password(url);
      if (password != null) {
        p.setProperty("password", password);
      }
      p.setProperty("connectTimeout", String.valueOf(Math.max(1, settings.connectTimeout().toSeconds())));
      p.setProperty("reWriteBatchedInserts", "true");
      p.setProperty("ApplicationName", "plg360 activate");
      connection = DriverManager.getConnection(url, p);
      connection.setAutoCommit(false);
    }
    return connection;
  }

  private static void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is gone; the server rolled the transaction back when it went
    }
  }

  private void dropConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // closing a broken connection
      }
      connection = null;
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryException("interrupted while waiting to try again", e);
    }
  }

  @Override
  public void close() {
    dropConnection();
  }
}
