package dev.plg360.common.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DomainsTest {

  @Test
  void registrableDomainFollowsThePublicSuffixList() {
    assertEquals("acme.co.uk", Domains.registrable("eu.acme.co.uk"));
    assertEquals("acme.co.uk", Domains.registrable("www.acme.co.uk"));
    assertEquals("acme.com.au", Domains.registrable("shop.acme.com.au"));
    assertEquals("acme.io", Domains.registrable("EU.Acme.IO."));
    assertEquals("acme.de", Domains.registrable("acme.de"));
    assertNull(Domains.registrable("co.uk"), "a bare public suffix is no company");
    assertNull(Domains.registrable("localhost"));
    assertNull(Domains.registrable("203.0.113.9"));
    assertNull(Domains.registrable("not a host"));
  }

  @Test
  void websitesAsPeopleTypeThem() {
    assertEquals("acme.io", Domains.ofWebsite("https://www.acme.io/pricing?x=1"));
    assertEquals("acme.io", Domains.ofWebsite("acme.io"));
    assertEquals("acme.co.uk", Domains.ofWebsite("http://eu.acme.co.uk:8080"));
    assertNull(Domains.ofWebsite(""));
    assertNull(Domains.ofWebsite(null));
  }

  @Test
  void freeMailAndDisposableListsAreLoaded() {
    for (String d : new String[] {"gmail.com", "outlook.com", "yahoo.co.uk", "hotmail.com", "gmx.de", "icloud.com"}) {
      assertTrue(Domains.isFreeMail(d), d);
    }
    assertFalse(Domains.isFreeMail("acme.io"));
    // Providers real sign-ups use that the first list missed (free-mail-additions.txt and email-providers).
    for (String d : new String[] {"tutanota.com", "mailbox.org", "hey.com", "sympatico.ca", "telus.net", "globo.com",
        "talktalk.net", "bbox.fr", "sunrise.ch"}) {
      assertTrue(Domains.isFreeMail(d), d);
    }
    assertTrue(Domains.isFreeMail("Mail.GMX.de"), "a host under a provider's registrable domain");
    assertFalse(Domains.isFreeMail("mail.acme.io"));
    assertTrue(Domains.isDisposable("mailinator.com"));
    assertFalse(Domains.isDisposable("gmail.com"));
  }
}
