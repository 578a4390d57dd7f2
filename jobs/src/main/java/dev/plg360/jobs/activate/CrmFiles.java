package dev.plg360.jobs.activate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import com.univocity.parsers.csv.CsvWriter;
import dev.plg360.common.io.Csv;
import dev.plg360.common.tables.ScoreTables.AccountScores;
import dev.plg360.common.tables.ScoreTables.LeadScores;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Salesforce import files of the scores that changed: CSV with the custom fields' API names, keyed by the record
 * Id for an upsert (Data Loader, the Bulk API). An account's scores go to every Salesforce Account of its domain;
 * accounts with none go to a file of their own, for a person to create or match.
 *
 * <p>An empty cell leaves a field as it was, so a score that went away is written as {@value #CLEARED}, which Data
 * Loader and the Bulk API read as "empty this field": a null score, no reasons. A row deleted from the score table
 * (an account no longer scored, a lead gone from the leads) clears every plg360 field of its records, unless the same
 * change gives the record to another account (a Salesforce Account belongs to the one account of its Website's
 * domain). Records are never deleted: a score going away does not end a customer. Data Loader reports a lead converted
 * or deleted in Salesforce since as an error of its row, and goes on.
 */
final class CrmFiles {
  private CrmFiles() {}

  static final String ACCOUNTS = "Account.csv";
  static final String LEADS = "Lead.csv";
  static final String NO_CRM_ID = "Account_no_crm_id.csv";

  /** The cell that empties a field in Data Loader and the Bulk API (an empty cell leaves it as it was). */
  static final String CLEARED = "#N/A";

  private static final String ID = "Id";

  /** Fields both objects carry, from the score columns they share; no reasons is none (not an empty text). */
  private static Map<String, Column> scoreFields() {
    Map<String, Column> m = new LinkedHashMap<>();
    m.put("PQL_Score__c", AccountScores.PQL_SCORE.col());
    m.put("PQL_Reasons__c",
        when(size(AccountScores.PQL_REASONS.col()).gt(0), concat_ws("; ", AccountScores.PQL_REASONS.col())));
    m.put("ICP_Score__c", AccountScores.ICP_SCORE.col());
    m.put("ICP_Tier__c", AccountScores.ICP_TIER.col());
    m.put("PLG_Segment__c", AccountScores.SEGMENT.col());
    return m;
  }

  private static Map<String, Column> accountFields() {
    Map<String, Column> m = scoreFields();
    m.put("Seat_Penetration__c", round(AccountScores.ADDRESSABLE_PENETRATION.col().multiply(100), 1));
    return m;
  }

  private static Map<String, Column> leadFields() {
    Map<String, Column> m = new LinkedHashMap<>();
    m.put("Lead_Status__c", LeadScores.LEAD_STATUS.col());
    m.put("Remarket_Reason__c", LeadScores.REMARKET_REASON.col());
    m.putAll(scoreFields());
    return m;
  }

  /**
   * Writes the files of one run's changes into {@code dir} and returns the rows per file; a file with no rows is
   * not written. {@code accounts}, {@code leads}: change sets of gold.account_scores and gold.lead_scores, or null.
   */
  static Map<String, Long> write(Dataset<Row> accounts, Dataset<Row> leads, Path dir, Configuration hadoop) {
    Map<String, Long> written = new LinkedHashMap<>();
    if (accounts != null) {
      // Rows scored before the column existed hold null: no Salesforce Account.
      Dataset<Row> withIds = accounts.withColumn(AccountScores.CRM_ACCOUNT_IDS.name(), coalesce(
          AccountScores.CRM_ACCOUNT_IDS.col(), array().cast(AccountScores.CRM_ACCOUNT_IDS.type())));
      Dataset<Row> upserts = withIds.where(col(ChangeSet.DELETE).equalTo(false));
      Dataset<Row> scored = cells(upserts.withColumn(ID, explode(AccountScores.CRM_ACCOUNT_IDS.col())), byId(),
          accountFields());
      Dataset<Row> gone = withIds.where(col(ChangeSet.DELETE)).select(explode(AccountScores.CRM_ACCOUNT_IDS.col()).as(ID))
          .except(scored.select(ID));
      write(scored.unionByName(cleared(gone, accountFields())).orderBy(ID), new Path(dir, ACCOUNTS), hadoop, written);

      Map<String, Column> noId = new LinkedHashMap<>();
      noId.put("plg360_account_id", AccountScores.ACCOUNT_ID.col());
      noId.put("Name", AccountScores.NAME.col());
      noId.put("Website", AccountScores.DOMAIN.col());
      write(cells(upserts.where(size(AccountScores.CRM_ACCOUNT_IDS.col()).equalTo(0)), noId, accountFields())
          .orderBy("plg360_account_id"), new Path(dir, NO_CRM_ID), hadoop, written);
    }
    if (leads != null) {
      Dataset<Row> keyed = leads.withColumnRenamed(LeadScores.LEAD_ID.name(), ID);
      Dataset<Row> scored = cells(keyed.where(col(ChangeSet.DELETE).equalTo(false)), byId(), leadFields());
      Dataset<Row> gone = keyed.where(col(ChangeSet.DELETE)).select(ID);
      write(scored.unionByName(cleared(gone, leadFields())).orderBy(ID), new Path(dir, LEADS), hadoop, written);
    }
    return written;
  }

  /** What names the record (as it is: Name, Website may be empty), then the fields as CSV cells: a null {@value #CLEARED}. */
  private static Dataset<Row> cells(Dataset<Row> rows, Map<String, Column> record, Map<String, Column> fields) {
    List<Column> cols = new ArrayList<>();
    record.forEach((name, c) -> cols.add(c.cast("string").as(name)));
    fields.forEach((name, c) -> cols.add(coalesce(c.cast("string"), lit(CLEARED)).as(name)));
    return rows.select(cols.toArray(Column[]::new));
  }

  private static Map<String, Column> byId() {
    return Map.of(ID, col(ID));
  }

  /** Rows that empty every field of the records named by the Id column. */
  private static Dataset<Row> cleared(Dataset<Row> ids, Map<String, Column> fields) {
    List<Column> cols = new ArrayList<>(List.of(col(ID)));
    fields.keySet().forEach(name -> cols.add(lit(CLEARED).as(name)));
    return ids.select(cols.toArray(Column[]::new));
  }

  private static void write(Dataset<Row> cells, Path file, Configuration hadoop, Map<String, Long> written) {
    Iterator<Row> it = cells.toLocalIterator();
    if (!it.hasNext()) {
      return;
    }
    long n = 0;
    // Written beside it and renamed when whole: a run killed mid-file leaves no torn file for Data Loader to import.
    Path staging = new Path(file.getParent(), "." + file.getName() + ".inprogress");
    try {
      FileSystem fs = file.getFileSystem(hadoop);
      try (Writer out = new OutputStreamWriter(fs.create(staging, true), StandardCharsets.UTF_8)) {
        CsvWriter csv = new CsvWriter(out, Csv.settings("\r\n"));
        csv.writeHeaders(cells.columns());
        while (it.hasNext()) {
          Row r = it.next();
          Object[] values = new Object[r.length()];
          for (int i = 0; i < values.length; i++) {
            values[i] = inert(r.getString(i));
          }
          csv.writeRow(values);
          n++;
        }
        csv.flush();
      }
      if (!fs.rename(staging, file)) {
        throw new IOException("cannot rename " + staging + " to " + file.getName());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    written.put(file.getName(), n);
  }

  private static final java.util.regex.Pattern FORMULA = java.util.regex.Pattern.compile("^[=+\\-@\t\r]");
  private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("^[-+]?\\d+(\\.\\d+)?([eE][-+]?\\d+)?$");

  /**
   * A value a spreadsheet would not run: text starting with {@code = + - @}, a tab or a carriage return (a workspace
   * named {@code =HYPERLINK(...)}) gets a leading apostrophe, which Excel, Google Sheets and LibreOffice read as
   * "this is text". Numbers stay numbers. These files are opened in spreadsheets before Data Loader reads them.
   */
  static String inert(String value) {
    if (value == null || !FORMULA.matcher(value).find() || NUMBER.matcher(value).matches()) {
      return value;
    }
    return "'" + value;
  }
}
