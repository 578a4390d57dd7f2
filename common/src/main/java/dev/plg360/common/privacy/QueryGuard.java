package dev.plg360.common.privacy;

import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * What a statement from a BI user or {@code plg360 sql} may do, checked on the statement as its sender wrote it
 * (its text and its parsed plan) before Spark resolves or runs anything. A view's stored definition is never a
 * client's statement: plg360's masked views call the mask and read their Delta table by path, and they may.
 *
 * <ul>
 *   <li>No variable substitution ({@code ${name}} prints any Spark setting), no reflection ({@code java_method},
 *       {@code reflect}: any Java method, the environment where the masking secret is, the mask itself on guessed
 *       emails), no script transformation ({@code SELECT TRANSFORM ... USING 'cmd'} runs a command). Always.</li>
 *   <li>Read-only: queries, and the statements that show the catalog ({@code SHOW TABLES}, {@code DESCRIBE},
 *       {@code USE}, ...). No write, no DDL, no {@code SET}, no cache, no jar.</li>
 *   <li>Tables by name only: a table is named as a table of the catalog ({@code gold.account_360}, or a name in the
 *       current database); a read by path ({@code delta.`/lake/silver/people`}) is refused. With masking on the
 *       catalog holds only what plg360 published: masked views, and no table whose personal data no mask reaches.</li>
 * </ul>
 */
public final class QueryGuard {
  private QueryGuard() {}

  /** Which of the rules beyond the first apply. */
  public record Policy(boolean readOnly, boolean byNameOnly) {
    /** What a BI user connected to {@code plg360 serve-sql} may do. */
    public static final Policy BI = new Policy(true, true);
  }

  /** A statement the policy does not allow; the message says what and why. */
  public static final class Refused extends IllegalArgumentException {
    Refused(String message) {
      super(message);
    }
  }

  /** Statements that only show the catalog, by the class names of their parsed plans. */
  private static final Set<String> SHOWING = Set.of(
      "ShowTables", "ShowTableExtended", "ShowNamespaces", "ShowViews", "ShowColumns", "ShowFunctions",
      "DescribeRelation", "DescribeColumn", "DescribeNamespace", "DescribeFunction", "DescribeQueryCommand",
      "SetCatalogAndNamespace", "SetCatalogCommand", "SetNamespaceCommand", "ShowCurrentNamespace",
      "ShowCurrentNamespaceCommand", "ShowCatalogsCommand", "ShowTableProperties", "ShowCreateTable", "ShowPartitions");

  /** Plan nodes that write or change something without being a Spark {@link Command} (an INSERT statement, ...). */
  private static final Pattern WRITING = Pattern.compile(
      "Insert|Delete|Update|Merge|Write|Append|Overwrite|Create|Drop|Alter|Replace|Truncate|Vacuum|Optimize|Restore"
          + "|Clone|Convert|Cache|Refresh|Repair|AddJar|AddFile|AddArchive|Analyze");

  private static final Set<String> REFLECTION = Set.of("java_method", "reflect", "try_reflect");

  /**
   * Refuses a statement's text that asks for variable substitution: {@code ${name}} is replaced by the value of any
   * Spark setting, secrets among them ({@code spark.executorEnv.PLG360_MASK_SECRET}, an object store's key), before
   * the statement is parsed, and a client can turn substitution on in its connection URL. Values for a query are
   * named parameters ({@code :account_id}).
   */
  public static void checkText(String sql) {
    if (sql.contains("${")) {
      throw new Refused("${...} (variable substitution) is not allowed here: it can print any Spark setting; give"
          + " values as named parameters (:name)");
    }
  }

  /**
   * Refuses a parsed statement that breaks the policy; {@code isDatabase} tells a database of the catalog from the
   * first part of a two-part name ({@code gold.account_360}, not {@code delta.`/lake/...`}).
   */
  public static void checkParsed(LogicalPlan parsed, Policy policy, Predicate<String> isDatabase) {
    if (SHOWING.contains(parsed.getClass().getSimpleName())) {
      return;
    }
    walk(parsed, policy, isDatabase);
  }

  private static void walk(LogicalPlan plan, Policy policy, Predicate<String> isDatabase) {
    String name = plan.getClass().getSimpleName();
    if (name.contains("ScriptTransformation")) {
      throw new Refused("TRANSFORM ... USING runs a command on the server: not allowed here");
    }
    if (policy.readOnly() && (plan instanceof Command || WRITING.matcher(name).find())) {
      throw new Refused("read-only: " + name + " changes the lake or the session; only queries, SHOW, DESCRIBE and USE"
          + " run here");
    }
    if (policy.byNameOnly() && plan instanceof UnresolvedRelation r) {
      checkTableName(JavaConverters.seqAsJavaList(r.multipartIdentifier()), isDatabase);
    }
    for (Iterator<Expression> it = plan.expressions().iterator(); it.hasNext(); ) {
      walk(it.next(), policy, isDatabase);
    }
    for (Iterator<LogicalPlan> it = plan.children().iterator(); it.hasNext(); ) {
      walk(it.next(), policy, isDatabase);
    }
  }

  private static void walk(Expression e, Policy policy, Predicate<String> isDatabase) {
    if (e instanceof UnresolvedFunction f) {
      java.util.List<String> parts = JavaConverters.seqAsJavaList(f.nameParts());
      if (REFLECTION.contains(parts.get(parts.size() - 1).toLowerCase(Locale.ROOT))) {
        throw new Refused("java_method and reflect call Java methods on the server: not allowed here");
      }
    }
    if (e instanceof SubqueryExpression s) {
      walk(s.plan(), policy, isDatabase);
    }
    for (Iterator<Expression> it = e.children().iterator(); it.hasNext(); ) {
      walk(it.next(), policy, isDatabase);
    }
  }

  /** A name of the catalog: {@code t}, {@code db.t} or {@code spark_catalog.db.t}, never {@code format.`path`}. */
  private static void checkTableName(java.util.List<String> parts, Predicate<String> isDatabase) {
    boolean byName = switch (parts.size()) {
      case 1 -> true;
      case 2 -> isDatabase.test(parts.get(0));
      case 3 -> parts.get(0).equalsIgnoreCase("spark_catalog") && isDatabase.test(parts.get(1));
      default -> false;
    };
    if (!byName) {
      throw new Refused("only tables of the catalog are read here (" + String.join(".", parts) + " is not one, a read"
          + " by path is refused): query them by name, e.g. gold.account_360");
    }
  }

  // ---------------------------------------------------------------------------------------------- serve-sql

  private static volatile boolean guarding;

  /**
   * Turns the guard on for every session of this JVM from now on ({@code serve-sql}, once it has published the
   * tables). A JVM-wide switch, not a session setting: a client can set session settings in its connection URL.
   */
  public static void guardEverySession() {
    guarding = true;
  }

  /**
   * The Spark session extension ({@code spark.sql.extensions}) that holds every statement of every session to
   * {@link Policy#BI} once {@link #guardEverySession()} was called: the Thrift server gives each connection a session
   * of its own, and an extension is the one hook they all share. It wraps the session's parser: a client's statement
   * is parsed by {@code parsePlan}, a view's stored text by {@code parseQuery}, which is left alone.
   */
  public static final class Extension extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
      extensions.injectParser(new AbstractFunction2<SparkSession, ParserInterface, ParserInterface>() {
        @Override
        public ParserInterface apply(SparkSession session, ParserInterface parser) {
          return new GuardedParser(session, parser);
        }
      });
      return BoxedUnit.UNIT;
    }
  }

  /** Spark's parser, with {@link #checkText} and {@link #checkParsed} on a client's statement once guarded. */
  private static final class GuardedParser implements ParserInterface {
    private final SparkSession session;
    private final ParserInterface parser;

    GuardedParser(SparkSession session, ParserInterface parser) {
      this.session = session;
      this.parser = parser;
    }

    @Override
    public LogicalPlan parsePlan(String sql) throws ParseException {
      if (!guarding) {
        return parser.parsePlan(sql);
      }
      checkText(sql);
      LogicalPlan plan = parser.parsePlan(sql);
      checkParsed(plan, Policy.BI, db -> session.sessionState().catalog().databaseExists(db));
      return plan;
    }

    @Override
    public LogicalPlan parseQuery(String sql) throws ParseException {
      return parser.parseQuery(sql);
    }

    @Override
    public Expression parseExpression(String sql) throws ParseException {
      return parser.parseExpression(sql);
    }

    @Override
    public TableIdentifier parseTableIdentifier(String sql) throws ParseException {
      return parser.parseTableIdentifier(sql);
    }

    @Override
    public FunctionIdentifier parseFunctionIdentifier(String sql) throws ParseException {
      return parser.parseFunctionIdentifier(sql);
    }

    @Override
    public scala.collection.Seq<String> parseMultipartIdentifier(String sql) throws ParseException {
      return parser.parseMultipartIdentifier(sql);
    }

    @Override
    public StructType parseTableSchema(String sql) throws ParseException {
      return parser.parseTableSchema(sql);
    }

    @Override
    public DataType parseDataType(String sql) throws ParseException {
      return parser.parseDataType(sql);
    }
  }
}
