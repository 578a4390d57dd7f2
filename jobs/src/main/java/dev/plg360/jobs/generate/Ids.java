package dev.plg360.jobs.generate;

/** Ids in the shapes the vendors use. */
final class Ids {
  private Ids() {}

  static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final String SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

  static String workspace(long number) {
    return String.format("ws_%06d", number);
  }

  /**
   * An 18-character Salesforce Id: key prefix (e.g. 00Q for Lead), pod and partition characters, a counter, and
   * the 3-character case-safe suffix Salesforce computes from where the upper-case letters are.
   */
  static String salesforce(String keyPrefix, int partition, long counter) {
    StringBuilder sb = new StringBuilder(keyPrefix).append("5g");
    sb.append(base62(partition, 2)).append(base62(counter, 8));
    return caseSafe(sb.toString());
  }

  /** The 18-character form of a 15-character Id: a suffix char per 5 chars, flagging the upper-case ones. */
  static String caseSafe(String id15) {
    StringBuilder suffix = new StringBuilder(3);
    for (int chunk = 0; chunk < 3; chunk++) {
      int flags = 0;
      for (int i = 0; i < 5; i++) {
        char ch = id15.charAt(chunk * 5 + i);
        if (ch >= 'A' && ch <= 'Z') {
          flags |= 1 << i;
        }
      }
      suffix.append(SUFFIX_CHARS.charAt(flags));
    }
    return id15 + suffix;
  }

  private static String base62(long value, int width) {
    char[] out = new char[width];
    long v = value;
    for (int i = width - 1; i >= 0; i--) {
      out[i] = BASE62.charAt((int) (v % 62));
      v /= 62;
    }
    if (v != 0) {
      throw new IllegalArgumentException(value + " does not fit in " + width + " base-62 characters");
    }
    return new String(out);
  }
}
