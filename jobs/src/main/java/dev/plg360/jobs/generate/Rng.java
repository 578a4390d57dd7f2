package dev.plg360.jobs.generate;

import java.util.List;
import java.util.SplittableRandom;

/** A seeded random stream with the few draws the simulation needs. Never shared between threads. */
final class Rng {
  private final SplittableRandom random;

  /** A stream for one purpose ({@code stream}) of one partition of one seed: independent of every other. */
  Rng(long seed, int partition, int stream) {
    this.random = new SplittableRandom(new SplittableRandom(seed).split().nextLong()
        ^ (0x9E3779B97F4A7C15L * (partition + 1L)) ^ (0xC2B2AE3D27D4EB4FL * (stream + 1L)));
  }

  boolean chance(double p) {
    return random.nextDouble() < p;
  }

  double uniform() {
    return random.nextDouble();
  }

  int between(int fromInclusive, int toInclusive) {
    return random.nextInt(fromInclusive, toInclusive + 1);
  }

  long nextLong() {
    return random.nextLong();
  }

  double gaussian() {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  /** Poisson by inversion; fine for the small means used here. */
  int poisson(double mean) {
    double l = Math.exp(-Math.min(mean, 30));
    int k = 0;
    double p = 1;
    do {
      k++;
      p *= random.nextDouble();
    } while (p > l);
    return k - 1;
  }

  <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }

  <T> T pick(T[] items) {
    return items[random.nextInt(items.length)];
  }

  /** Index drawn with the given non-negative weights. */
  int weighted(double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double r = random.nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /** Lower-case hex of the given length. */
  String hex(int length) {
    StringBuilder sb = new StringBuilder(length);
    while (sb.length() < length) {
      sb.append(Long.toHexString(random.nextLong() | Long.MIN_VALUE));
    }
    return sb.substring(0, length);
  }

  /** Base-62 text of the given length, as Stripe ids are. */
  String base62(int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(Ids.BASE62.charAt(random.nextInt(62)));
    }
    return sb.toString();
  }

  /** A random (version 4 shaped) UUID, as Segment messageIds are. */
  String uuid() {
    String h = hex(32);
    return h.substring(0, 8) + "-" + h.substring(8, 12) + "-4" + h.substring(13, 16) + "-a" + h.substring(17, 20)
        + "-" + h.substring(20, 32);
  }
}
