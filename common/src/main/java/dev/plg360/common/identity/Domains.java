package dev.plg360.common.identity;

import com.google.common.net.InternetDomainName;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Company domains: the registrable domain of a host (public-suffix aware, so {@code eu.acme.co.uk} is
 * {@code acme.co.uk}), the host of a website as typed in a CRM, and the free-mail and disposable lists.
 * Static and side-effect free, so Spark can call it on executors.
 */
public final class Domains {
  private Domains() {}

  private static final class Lists {
    static final Set<String> FREE_MAIL = load("/identity/free-mail-domains.txt");
    static final Set<String> DISPOSABLE = load("/identity/disposable-domains.txt");
  }

  private static Set<String> load(String resource) {
    Set<String> out = new HashSet<>();
    try (InputStream in = Domains.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("resource " + resource + " is missing from the jar");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        String d = line.trim().toLowerCase(Locale.ROOT);
        if (!d.isEmpty() && !d.startsWith("#")) {
          out.add(d);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * The registrable domain ("effective TLD + 1") of a host, or null when the host is not under a public suffix
   * (an IP address, "localhost", a bare suffix such as "co.uk", junk).
   */
  public static String registrable(String host) {
    if (host == null) {
      return null;
    }
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (h.isEmpty() || !InternetDomainName.isValid(h)) {
      return null;
    }
    InternetDomainName name = InternetDomainName.from(h);
    if (!name.isUnderPublicSuffix()) {
      return null;
    }
    return name.topPrivateDomain().toString();
  }

  /** The host of a website as people type it: "https://www.Acme.io/pricing", "acme.io", "eu.acme.io:443". */
  public static String hostOfWebsite(String website) {
    if (website == null || website.isBlank()) {
      return null;
    }
    String w = website.trim().toLowerCase(Locale.ROOT);
    int scheme = w.indexOf("://");
    if (scheme >= 0) {
      w = w.substring(scheme + 3);
    }
    int end = w.length();
    for (char stop : new char[] {'/', '?', '#', ':'}) {
      int i = w.indexOf(stop);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    w = w.substring(0, end);
    int at = w.lastIndexOf('@');
    return at >= 0 ? w.substring(at + 1) : w;
  }

  /** The company a website names: its registrable domain. */
  public static String ofWebsite(String website) {
    return registrable(hostOfWebsite(website));
  }

  /** A free-mail or webmail provider: never a company. The host is looked up as it is and as its registrable domain. */
  public static boolean isFreeMail(String domain) {
    return listed(Lists.FREE_MAIL, domain);
  }

  /** A throwaway provider, looked up as {@link #isFreeMail} is. */
  public static boolean isDisposable(String domain) {
    return listed(Lists.DISPOSABLE, domain);
  }

  private static boolean listed(Set<String> list, String domain) {
    if (domain == null) {
      return false;
    }
    String host = domain.toLowerCase(Locale.ROOT);
    if (list.contains(host)) {
      return true;
    }
    String registrable = registrable(host);
    return registrable != null && list.contains(registrable);
  }
}
