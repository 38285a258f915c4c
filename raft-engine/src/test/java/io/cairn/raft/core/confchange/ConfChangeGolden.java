package io.cairn.raft.core.confchange;

/**
 * Golden cases ported from etcd-io/raft {@code confchange/testdata/*.txt} (datadriven format), with
 * {@code commit=0} dropped from the progress lines (v3.6 Progress has no Commit field), plus
 * {@link #OBSERVERS} for the BW-Raft observer extension. Not ported: {@code zero.txt} (node id 0
 * cannot be expressed: ConfChangeSingle rejects it) and {@code update.txt} (there is no
 * UpdateNode change type).
 */
final class ConfChangeGolden {

    private ConfChangeGolden() {
    }

    /** etcd {@code confchange/testdata/simple_safety.txt}. */
    static final String SIMPLE_SAFETY = """
            simple
            l1
            ----
            removed all voters

            simple
            v1
            ----
            voters=(1)
            1: StateProbe match=0 next=1

            simple
            v2 l3
            ----
            voters=(1 2) learners=(3)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=2
            3: StateProbe match=0 next=2 learner

            simple
            r1 v5
            ----
            more than one voter changed without entering joint config

            simple
            r1 r2
            ----
            removed all voters

            simple
            v3 v4
            ----
            more than one voter changed without entering joint config

            simple
            l1 v5
            ----
            more than one voter changed without entering joint config

            simple
            l1 l2
            ----
            removed all voters

            simple
            l2 l3 l4 l5
            ----
            voters=(1) learners=(2 3 4 5)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=2 learner
            3: StateProbe match=0 next=2 learner
            4: StateProbe match=0 next=8 learner
            5: StateProbe match=0 next=8 learner

            simple
            r1
            ----
            removed all voters

            simple
            r2 r3 r4 r5
            ----
            voters=(1)
            1: StateProbe match=0 next=1
            """;

    /** etcd {@code confchange/testdata/simple_idempotency.txt}. */
    static final String SIMPLE_IDEMPOTENCY = """
            simple
            v1
            ----
            voters=(1)
            1: StateProbe match=0 next=1

            simple
            v1
            ----
            voters=(1)
            1: StateProbe match=0 next=1

            simple
            v2
            ----
            voters=(1 2)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=2

            simple
            l1
            ----
            voters=(2) learners=(1)
            1: StateProbe match=0 next=1 learner
            2: StateProbe match=0 next=2

            simple
            l1
            ----
            voters=(2) learners=(1)
            1: StateProbe match=0 next=1 learner
            2: StateProbe match=0 next=2

            simple
            r1
            ----
            voters=(2)
            2: StateProbe match=0 next=2

            simple
            r1
            ----
            voters=(2)
            2: StateProbe match=0 next=2

            simple
            v3
            ----
            voters=(2 3)
            2: StateProbe match=0 next=2
            3: StateProbe match=0 next=7

            simple
            r3
            ----
            voters=(2)
            2: StateProbe match=0 next=2

            simple
            r3
            ----
            voters=(2)
            2: StateProbe match=0 next=2

            simple
            r4
            ----
            voters=(2)
            2: StateProbe match=0 next=2
            """;

    /** etcd {@code confchange/testdata/simple_promote_demote.txt}. */
    static final String SIMPLE_PROMOTE_DEMOTE = """
            # Set up three voters for this test.

            simple
            v1
            ----
            voters=(1)
            1: StateProbe match=0 next=1

            simple
            v2
            ----
            voters=(1 2)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1

            simple
            v3
            ----
            voters=(1 2 3)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1
            3: StateProbe match=0 next=2

            # Can atomically demote and promote without a hitch.
            # This is pointless, but possible.
            simple
            l1 v1
            ----
            voters=(1 2 3)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1
            3: StateProbe match=0 next=2

            # Can demote a voter.
            simple
            l2
            ----
            voters=(1 3) learners=(2)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1 learner
            3: StateProbe match=0 next=2

            # Can atomically promote and demote the same voter.
            # This is pointless, but possible.
            simple
            v2 l2
            ----
            voters=(1 3) learners=(2)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1 learner
            3: StateProbe match=0 next=2

            # Can promote a voter.
            simple
            v2
            ----
            voters=(1 2 3)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1
            3: StateProbe match=0 next=2
            """;

    /** etcd {@code confchange/testdata/joint_safety.txt}. */
    static final String JOINT_SAFETY = """
            leave-joint
            ----
            can't leave a non-joint config

            enter-joint
            ----
            can't make a zero-voter config joint

            enter-joint
            v1
            ----
            can't make a zero-voter config joint

            simple
            v1
            ----
            voters=(1)
            1: StateProbe match=0 next=3

            leave-joint
            ----
            can't leave a non-joint config

            # Can enter into joint config.
            enter-joint
            ----
            voters=(1)&&(1)
            1: StateProbe match=0 next=3

            enter-joint
            ----
            config is already joint

            leave-joint
            ----
            voters=(1)
            1: StateProbe match=0 next=3

            leave-joint
            ----
            can't leave a non-joint config

            # Can enter again, this time with some ops.
            enter-joint
            r1 v2 v3 l4
            ----
            voters=(2 3)&&(1) learners=(4)
            1: StateProbe match=0 next=3
            2: StateProbe match=0 next=9
            3: StateProbe match=0 next=9
            4: StateProbe match=0 next=9 learner

            enter-joint
            ----
            config is already joint

            enter-joint
            v12
            ----
            config is already joint

            simple
            l15
            ----
            can't apply simple config change in joint config

            leave-joint
            ----
            voters=(2 3) learners=(4)
            2: StateProbe match=0 next=9
            3: StateProbe match=0 next=9
            4: StateProbe match=0 next=9 learner

            simple
            l9
            ----
            voters=(2 3) learners=(4 9)
            2: StateProbe match=0 next=9
            3: StateProbe match=0 next=9
            4: StateProbe match=0 next=9 learner
            9: StateProbe match=0 next=14 learner
            """;

    /** etcd {@code confchange/testdata/joint_autoleave.txt}. */
    static final String JOINT_AUTOLEAVE = """
            # Test the autoleave argument to EnterJoint. It defaults to false in the
            # datadriven tests. The flag has no associated semantics in this package,
            # it is simply passed through.
            simple
            v1
            ----
            voters=(1)
            1: StateProbe match=0 next=1

            # Autoleave is reflected in the config.
            enter-joint autoleave=true
            v2 v3
            ----
            voters=(1 2 3)&&(1) autoleave
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1
            3: StateProbe match=0 next=1

            # Can't enter-joint twice, even if autoleave changes.
            enter-joint autoleave=false
            ----
            config is already joint

            leave-joint
            ----
            voters=(1 2 3)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1
            3: StateProbe match=0 next=1
            """;

    /** etcd {@code confchange/testdata/joint_idempotency.txt}. */
    static final String JOINT_IDEMPOTENCY = """
            # Verify that operations upon entering the joint state are idempotent, i.e.
            # removing an absent node is fine, etc.

            simple
            v1
            ----
            voters=(1)
            1: StateProbe match=0 next=1

            enter-joint
            r1 r2 r9 v2 v3 v4 v2 v3 v4 l2 l2 r4 r4 l1 l1
            ----
            voters=(3)&&(1) learners=(2) learners_next=(1)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1 learner
            3: StateProbe match=0 next=1

            leave-joint
            ----
            voters=(3) learners=(1 2)
            1: StateProbe match=0 next=1 learner
            2: StateProbe match=0 next=1 learner
            3: StateProbe match=0 next=1
            """;

    /** etcd {@code confchange/testdata/joint_learners_next.txt}. */
    static final String JOINT_LEARNERS_NEXT = """
            # Verify that when a voter is demoted in a joint config, it will show up in
            # learners_next until the joint config is left, and only then will the progress
            # turn into that of a learner, without resetting the progress. Note that this
            # last fact is verified by `next`, which can tell us which "round" the progress
            # was originally created in.

            simple
            v1
            ----
            voters=(1)
            1: StateProbe match=0 next=1

            enter-joint
            v2 l1
            ----
            voters=(2)&&(1) learners_next=(1)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1

            leave-joint
            ----
            voters=(2) learners=(1)
            1: StateProbe match=0 next=1 learner
            2: StateProbe match=0 next=1
            """;

    /** Our own: BW-Raft observers ({@code oN} is ADD_OBSERVER). */
    static final String OBSERVERS = """
            # BW-Raft observers (our extension): learners that serve ReadIndex reads and
            # are never promoted to voter. Token oN is ADD_OBSERVER.
            simple
            v1
            ----
            voters=(1)
            1: StateProbe match=0 next=1

            # An observer is added like a learner, and marked.
            simple
            o2
            ----
            voters=(1) learners=(2) observers=(2)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1 learner

            # An observer cannot be promoted...
            simple
            v2
            ----
            cannot promote observer 2 to voter; remove it first

            # ...not even while entering a joint config.
            enter-joint
            v3 v2
            ----
            cannot promote observer 2 to voter; remove it first

            # ADD_LEARNER on an observer keeps it a learner but takes the observer role
            # away; the progress is kept.
            simple
            l2
            ----
            voters=(1) learners=(2)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1 learner

            # A plain learner may be promoted, as in etcd.
            simple
            v2
            ----
            voters=(1 2)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1

            simple
            o3
            ----
            voters=(1 2) learners=(3) observers=(3)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1
            3: StateProbe match=0 next=6 learner

            # Removing an observer first makes it promotable, even within one change: the
            # removal drops its progress, so it comes back as a new voter.
            simple
            r3 v3
            ----
            voters=(1 2 3)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1
            3: StateProbe match=0 next=7

            # A voter can be demoted to an observer directly in a simple change.
            simple
            o3
            ----
            voters=(1 2) learners=(3) observers=(3)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1
            3: StateProbe match=0 next=7 learner

            # ADD_OBSERVER on a learner marks it; repeating it is idempotent.
            simple
            l4 o4 o4
            ----
            voters=(1 2) learners=(3 4) observers=(3 4)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1
            3: StateProbe match=0 next=7 learner
            4: StateProbe match=0 next=9 learner

            # Removing an observer removes its mark too.
            simple
            r4
            ----
            voters=(1 2) learners=(3) observers=(3)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1
            3: StateProbe match=0 next=7 learner

            # Demoting an outgoing voter to observer in a joint config stages it in
            # learners_next (it is still a voter of the outgoing half), already marked.
            enter-joint autoleave=true
            o2 v5
            ----
            voters=(1 5)&&(1 2) learners=(3) learners_next=(2) observers=(2 3) autoleave
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1
            3: StateProbe match=0 next=7 learner
            5: StateProbe match=0 next=11

            leave-joint
            ----
            voters=(1 5) learners=(2 3) observers=(2 3)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1 learner
            3: StateProbe match=0 next=7 learner
            5: StateProbe match=0 next=11

            # ADD_LEARNER after ADD_OBSERVER of a staged learner drops the mark.
            enter-joint
            o1 l1
            ----
            voters=(5)&&(1 5) learners=(2 3) learners_next=(1) observers=(2 3)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1 learner
            3: StateProbe match=0 next=7 learner
            5: StateProbe match=0 next=11

            leave-joint
            ----
            voters=(5) learners=(1 2 3) observers=(2 3)
            1: StateProbe match=0 next=1 learner
            2: StateProbe match=0 next=1 learner
            3: StateProbe match=0 next=7 learner
            5: StateProbe match=0 next=11

            simple
            v1
            ----
            voters=(1 5) learners=(2 3) observers=(2 3)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1 learner
            3: StateProbe match=0 next=7 learner
            5: StateProbe match=0 next=11

            # A staged observer cannot be promoted back in the same change.
            enter-joint
            o1 v1
            ----
            cannot promote observer 1 to voter; remove it first

            # Removing a staged observer drops the mark; the outgoing voter keeps its
            # progress until the joint config is left.
            enter-joint
            o1 r1
            ----
            voters=(5)&&(1 5) learners=(2 3) observers=(2 3)
            1: StateProbe match=0 next=1
            2: StateProbe match=0 next=1 learner
            3: StateProbe match=0 next=7 learner
            5: StateProbe match=0 next=11

            leave-joint
            ----
            voters=(5) learners=(2 3) observers=(2 3)
            2: StateProbe match=0 next=1 learner
            3: StateProbe match=0 next=7 learner
            5: StateProbe match=0 next=11
            """;
}
