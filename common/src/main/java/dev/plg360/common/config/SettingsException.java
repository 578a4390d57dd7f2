package dev.plg360.common.config;

/** A setting is missing, misspelt or out of range. The message names the key. */
public final class SettingsException extends RuntimeException {
  public SettingsException(String message) {
    super(message);
  }

  public SettingsException(String message, Throwable cause) {
    super(message, cause);
  }
}
