package dev.plg360.common.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plg360.common.config.Settings;
import dev.plg360.common.config.SettingsException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PersonalDataTest {

  static final Settings ON = Settings.defaults().with(Map.of(PersonalData.SETTING, "true"));

  @Test
  void aKeyedHashThatIsStableAndNeedsTheSecret() {
    String a = PersonalData.mask("ada@acme.com", "first-secret-0123456789");
    assertEquals(a, PersonalData.mask("ada@acme.com", "first-secret-0123456789"), "the same value and secret: the same hash");
    assertTrue(a.matches("[0-9a-f]{32}"), a);
    assertNotEquals(a, PersonalData.mask("ada@acme.com", "other-secret-0123456789"), "another secret: another hash");
    assertNotEquals(a, PersonalData.mask("bob@acme.com", "first-secret-0123456789"));
    assertNull(PersonalData.mask(null, "first-secret-0123456789"));
    // The build gives the test JVM a secret in the environment, as a deployment would.
    assertEquals(PersonalData.mask("ada@acme.com", System.getenv(PersonalData.SECRET_ENV)), PersonalData.mask("ada@acme.com"));
  }

  @Test
  void maskingOnWithoutAGoodSecretFailsAtStartNamingIt() {
    assertFalse(PersonalData.masking(Settings.defaults(), null), "off by default, and then no secret is needed");
    assertTrue(PersonalData.masking(ON, "a-secret-of-enough-length"));
    SettingsException missing = assertThrows(SettingsException.class, () -> PersonalData.masking(ON, null));
    assertTrue(missing.getMessage().contains(PersonalData.SECRET_ENV + " is not set")
        && missing.getMessage().contains(PersonalData.SETTING), missing.getMessage());
    SettingsException shortOne = assertThrows(SettingsException.class, () -> PersonalData.masking(ON, "short"));
    assertTrue(shortOne.getMessage().contains("shorter than 16"), shortOne.getMessage());
  }
}
