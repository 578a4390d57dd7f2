package dev.plg360.jobs.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServeSettingsTest {

  private static Settings host(String host) {
    return Settings.defaults().with(Map.of("plg360.serve-sql.host", host, "plg360.serve-sql.user", "analyst"));
  }

  @Test
  void anAddressBeyondThisMachineNeedsTheLoginsPassword() {
    SettingsException e = assertThrows(SettingsException.class, () -> ServeSettings.from(host("0.0.0.0"), false));
    assertTrue(e.getMessage().startsWith("plg360.serve-sql.host is 0.0.0.0, reachable beyond this machine, and "
        + ServeLogin.PASSWORD_ENV + " is not set"), e.getMessage());
    assertEquals(Optional.of("analyst"), ServeSettings.from(host("0.0.0.0"), true).user(), "with it, a login");
    assertEquals(Optional.empty(), ServeSettings.from(host("127.0.0.1"), false).user(), "this machine only: no login");
    assertEquals(Optional.empty(), ServeSettings.from(host("localhost"), false).user());
    assertEquals(Optional.of("analyst"), ServeSettings.from(host("127.0.0.1"), true).user(),
        "a password set is a login on any address");
    assertEquals("0.0.0.0", ServeSettings.read(host("0.0.0.0")).host(), "other commands do not need the password");
  }
}
