package io.cairn.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Exactly-once bookkeeping: acked is the highest seq with every reply up to it received. */
class RouteSessionTest {

  @Test
  void ackedAdvancesOnlyOverAContiguousPrefix() {
    RouteSession s = new RouteSession();
    assertThat(s.id).isPositive();
    for (int i = 1; i <= 5; i++) {
      assertThat(s.nextSeq()).isEqualTo(i);
    }
    assertThat(s.acked()).isZero();
    s.received(2);
    s.received(3);
    assertThat(s.acked()).isZero(); // 1 still out
    s.received(1);
    assertThat(s.acked()).isEqualTo(3);
    s.received(5);
    assertThat(s.acked()).isEqualTo(3);
    s.received(3); // a duplicate changes nothing
    s.received(4);
    assertThat(s.acked()).isEqualTo(5);
  }

  @Test
  void sessionsAreDistinctAndReadonlyIsPerSession() {
    RouteSession a = new RouteSession();
    RouteSession b = new RouteSession();
    assertThat(a.id).isNotEqualTo(b.id);
    a.setReadonly(true);
    assertThat(a.readonly()).isTrue();
    assertThat(b.readonly()).isFalse();
  }
}
