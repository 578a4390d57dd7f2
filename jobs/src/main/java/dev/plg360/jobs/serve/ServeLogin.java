package dev.plg360.jobs.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import javax.security.sasl.AuthenticationException;
import org.apache.hive.service.auth.PasswdAuthenticationProvider;

/**
 * The one login of {@code serve-sql} when {@value #PASSWORD_ENV} is set: the user {@code plg360.serve-sql.user} with
 * that password, over the HiveServer2 protocol's plain login (what JDBC's {@code user}/{@code password} and an ODBC
 * connector's "user name and password" send). The Thrift server makes this class by its name
 * ({@code hive.server2.custom.authentication.class}), in the server's JVM, where {@link SqlServer} set the user.
 */
public final class ServeLogin implements PasswdAuthenticationProvider {

  /** The environment variable holding the password; never a setting, so never in a file or a command line. */
  public static final String PASSWORD_ENV = "PLG360_SERVE_SQL_PASSWORD";

  private static volatile String user;

  static void expect(String userName) {
    user = userName;
  }

  @Override
  public void Authenticate(String name, String password) throws AuthenticationException {
    String expected = System.getenv(PASSWORD_ENV);
    boolean ok = expected != null && user != null && user.equals(name) && password != null
        && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
    if (!ok) {
      throw new AuthenticationException("wrong user name or password");
    }
  }
}
