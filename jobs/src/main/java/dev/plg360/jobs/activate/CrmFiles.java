package dev.plg360.jobs.activate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.size;

import com.univocity.parsers.csv.CsvWriter;
import com.univocity.parsers.csv.CsvWriterSettings;
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
 * Id for an upsert (Data Loader, Data Import Wizard). An account's scores go to every Salesforce Account of its
 * domain; accounts with none go to a file of their own, for a person to create or match. Deleted rows are not in
 * them (a CRM record is not deleted because a score went away).
 */
final class CrmFiles {
  private CrmFiles() {}

  static final String ACCOUNTS = "Account.csv";
  static final String LEADS = "Lead.csv";
  static final String NO_CRM_ID = "Account_no_crm_id.csv";

  /** Fields both objects carry, from the score columns they share. */
  private static Map<String, Column> scoreFields() {
    Map<String, Column> m = new LinkedHashMap<>();
    m.put("PQL_Score__c", AccountScores.PQL_SCORE.col());
    m.put("PQL_Reasons__c", concat_ws("; ", AccountScores.PQL_REASONS.col()));
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

  /**
   * Writes the files of one run's changes into {@code dir} and returns the rows per file; a file with no rows is
   * not written. {@code accounts}, {@code leads}: change sets of gold.account_scores and gold.lead_scores, or null.
   */
  static Map<String, Long> write(Dataset<Row> accounts, Dataset<Row> leads, Path dir, Configuration hadoop) {
    Map<String, Long> written = new LinkedHashMap<>();
    if (accounts != null) {
      // Rows scored before the column existed hold null: no Salesforce Account.
      Dataset<Row> upserts = accounts.where(col(ChangeSet.DELETE).equalTo(false)).withColumn(
          AccountScores.CRM_ACCOUNT_IDS.name(), coalesce(AccountScores.CRM_ACCOUNT_IDS.col(),
              array().cast(AccountScores.CRM_ACCOUNT_IDS.type())));
      Map<String, Column> withId = new LinkedHashMap<>();
      withId.put("Id", col("crm_id"));
      withId.putAll(accountFields());
      write(upserts.withColumn("crm_id", explode(AccountScores.CRM_ACCOUNT_IDS.col())).orderBy("crm_id"), withId,
          new Path(dir, ACCOUNTS), hadoop, written);
      Map<String, Column> noId = new LinkedHashMap<>();
      noId.put("plg360_account_id", AccountScores.ACCOUNT_ID.col());
      noId.put("Name", AccountScores.NAME.col());
      noId.put("Website", AccountScores.DOMAIN.col());
      noId.putAll(accountFields());
      write(upserts.where(size(AccountScores.CRM_ACCOUNT_IDS.col()).equalTo(0)).orderBy(AccountScores.ACCOUNT_ID.col()),
          noId, new Path(dir, NO_CRM_ID), hadoop, written);
    }
    if (leads != null) {
      Map<String, Column> fields = new LinkedHashMap<>();
      fields.put("Id", LeadScores.LEAD_ID.col());
      fields.put("Lead_Status__c", LeadScores.LEAD_STATUS.col());
      fields.put("Remarket_Reason__c", LeadScores.REMARKET_REASON.col());
      fields.putAll(scoreFields());
      write(leads.where(col(ChangeSet.DELETE).equalTo(false)).orderBy(LeadScores.LEAD_ID.col()), fields,
          new Path(dir, LEADS), hadoop, written);
    }
    return written;
  }

  private static void write(Dataset<Row> rows, Map<String, Column> fields, Path file, Configuration hadoop,
                            Map<String, Long> written) {
    List<Column> cols = new ArrayList<>();
    fields.forEach((name, c) -> cols.add(c.cast("string").as(name)));
    Iterator<Row> it = rows.select(cols.toArray(Column[]::new)).toLocalIterator();
    if (!it.hasNext()) {
      return;
    }
    long n = 0;
    // Written beside it and renamed when whole: a run killed mid-file leaves no torn file for Data Loader to import.
    Path staging = new Path(file.getParent(), "." + file.getName() + ".inprogress");
    try {
      FileSystem fs = file.getFileSystem(hadoop);
      try (Writer out = new OutputStreamWriter(fs.create(staging, true), StandardCharsets.UTF_8)) {
        CsvWriter csv = new CsvWriter(out, csvSettings());
        csv.writeHeaders(fields.keySet().toArray(String[]::new));
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

  /** RFC 4180: comma, double quotes where needed, doubled inside; an empty field for a null (Data Loader keeps the value). */
  private static CsvWriterSettings csvSettings() {
    CsvWriterSettings s = new CsvWriterSettings();
    s.getFormat().setLineSeparator("\r\n");
    s.setNullValue("");
    s.setQuotationTriggers(',', '"', '\n', '\r');
    return s;
  }
}
