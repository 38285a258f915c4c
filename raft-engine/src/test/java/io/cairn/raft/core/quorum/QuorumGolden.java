package io.cairn.raft.core.quorum;

/**
 * Golden cases ported from etcd-io/raft {@code quorum/testdata/*.txt} (datadriven format). The
 * per-voter tables etcd prints before each committed index are left out: only the result is
 * checked (the harness adds its own cross-checks).
 */
final class QuorumGolden {

    private QuorumGolden() {
    }

    /** etcd {@code quorum/testdata/majority_commit.txt}. */
    static final String MAJORITY_COMMIT = """
            # The empty quorum commits "everything". This is useful for its use in joint
            # quorums.
            committed
            ----
            ∞

            # A single voter quorum is not final when no index is known.
            committed cfg=(1) idx=(_)
            ----
            0

            # When an index is known, that's the committed index, and that's final.
            committed cfg=(1) idx=(12)
            ----
            12

            # With two nodes, start out similarly.
            committed cfg=(1, 2) idx=(_,_)
            ----
            0

            # The first committed index becomes known (for n1). Nothing changes in the
            # output because idx=12 is not known to be on a quorum (which is both nodes).
            committed cfg=(1, 2) idx=(12,_)
            ----
            0

            # The second index comes in and finalize the decision. The result will be the
            # smaller of the two indexes.
            committed cfg=(1,2) idx=(12,5)
            ----
            5

            # No surprises for three nodes.
            committed cfg=(1,2,3) idx=(_,_,_)
            ----
            0

            committed cfg=(1,2,3) idx=(12,_,_)
            ----
            0

            # We see a committed index, but a higher committed index for the last pending
            # votes could change (increment) the outcome, so not final yet.
            committed cfg=(1,2,3) idx=(12,5,_)
            ----
            5

            # a) the case in which it does:
            committed cfg=(1,2,3) idx=(12,5,6)
            ----
            6

            # b) the case in which it does not:
            committed cfg=(1,2,3) idx=(12,5,4)
            ----
            5

            # c) a different case in which the last index is pending but it has no chance of
            # swaying the outcome (because nobody in the current quorum agrees on anything
            # higher than the candidate):
            committed cfg=(1,2,3) idx=(5,5,_)
            ----
            5

            # c) continued: Doesn't matter what shows up last. The result is final.
            committed cfg=(1,2,3) idx=(5,5,12)
            ----
            5

            # With all committed idx known, the result is final.
            committed cfg=(1, 2, 3) idx=(100, 101, 103)
            ----
            101

            # Some more complicated examples. Similar to case c) above. The result is
            # already final because no index higher than 103 is one short of quorum.
            committed cfg=(1, 2, 3, 4, 5) idx=(101, 104, 103, 103,_)
            ----
            103

            # A similar case which is not final because another vote for >= 103 would change
            # the outcome.
            committed cfg=(1, 2, 3, 4, 5) idx=(101, 102, 103, 103,_)
            ----
            102
            """;

    /** etcd {@code quorum/testdata/joint_commit.txt}. */
    static final String JOINT_COMMIT = """
            # No difference between a simple majority quorum and a simple majority quorum
            # joint with an empty majority quorum. (This is asserted for all datadriven tests
            # by the framework, so we don't dwell on it more).
            #
            # Note that by specifying cfgj explicitly we tell the test harness to treat the
            # input as a joint quorum and not a majority quorum. If we didn't specify
            # cfgj=zero the test would pass just the same, but it wouldn't be exercising the
            # joint quorum path.
            committed cfg=(1,2,3) cfgj=zero idx=(100,101,99)
            ----
            100

            # Joint nonoverlapping singleton quorums.

            committed cfg=(1) cfgj=(2) idx=(_,_)
            ----
            0

            # Voter 1 has 100 committed, 2 nothing. This means we definitely won't commit
            # past 100.
            committed cfg=(1) cfgj=(2) idx=(100,_)
            ----
            0

            # Committed index collapses once both majorities do, to the lower index.
            committed cfg=(1) cfgj=(2) idx=(13, 100)
            ----
            13

            # Joint overlapping (i.e. identical) singleton quorum.

            committed cfg=(1) cfgj=(1) idx=(_)
            ----
            0

            committed cfg=(1) cfgj=(1) idx=(100)
            ----
            100

            # Two-node config joint with non-overlapping single node config
            committed cfg=(1,3) cfgj=(2) idx=(_,_,_)
            ----
            0

            committed cfg=(1,3) cfgj=(2) idx=(100,_,_)
            ----
            0

            # 1 has 100 committed, 2 has 50 (collapsing half of the joint quorum to 50).
            committed cfg=(1,3) cfgj=(2) idx=(100,_,50)
            ----
            0

            # 2 reports 45, collapsing the other half (to 45).
            committed cfg=(1,3) cfgj=(2) idx=(100,45,50)
            ----
            45

            # Two-node config with overlapping single-node config.

            committed cfg=(1,2) cfgj=(2) idx=(_,_)
            ----
            0

            # 1 reports 100.
            committed cfg=(1,2) cfgj=(2) idx=(100,_)
            ----
            0

            # 2 reports 100.
            committed cfg=(1,2) cfgj=(2) idx=(_,100)
            ----
            0

            committed cfg=(1,2) cfgj=(2) idx=(50,100)
            ----
            50

            committed cfg=(1,2) cfgj=(2) idx=(100,50)
            ----
            50

            # Joint non-overlapping two-node configs.

            committed cfg=(1,2) cfgj=(3,4) idx=(50,_,_,_)
            ----
            0

            committed cfg=(1,2) cfgj=(3,4) idx=(50,_,49,_)
            ----
            0

            committed cfg=(1,2) cfgj=(3,4) idx=(50,48,49,_)
            ----
            0

            committed cfg=(1,2) cfgj=(3,4) idx=(50,48,49,47)
            ----
            47

            # Joint overlapping two-node configs.
            committed cfg=(1,2) cfgj=(2,3) idx=(_,_,_)
            ----
            0

            committed cfg=(1,2) cfgj=(2,3) idx=(100,_,_)
            ----
            0

            committed cfg=(1,2) cfgj=(2,3) idx=(_,100,_)
            ----
            0

            committed cfg=(1,2) cfgj=(2,3) idx=(_,100,99)
            ----
            0

            committed cfg=(1,2) cfgj=(2,3) idx=(101,100,99)
            ----
            99

            # Joint identical two-node configs.
            committed cfg=(1,2) cfgj=(1,2) idx=(_,_)
            ----
            0

            committed cfg=(1,2) cfgj=(1,2) idx=(_,40)
            ----
            0

            committed cfg=(1,2) cfgj=(1,2) idx=(41,40)
            ----
            40

            # Joint disjoint three-node configs.

            committed cfg=(1,2,3) cfgj=(4,5,6) idx=(_,_,_,_,_,_)
            ----
            0

            committed cfg=(1,2,3) cfgj=(4,5,6) idx=(100,_,_,_,_,_)
            ----
            0

            committed cfg=(1,2,3) cfgj=(4,5,6) idx=(100,_,_,90,_,_)
            ----
            0

            committed cfg=(1,2,3) cfgj=(4,5,6) idx=(100,99,_,_,_,_)
            ----
            0

            # First quorum <= 99, second one <= 97. Both quorums guarantee that 90 is
            # committed.
            committed cfg=(1,2,3) cfgj=(4,5,6) idx=(_,99,90,97,95,_)
            ----
            90

            # First quorum collapsed to 92. Second one already had at least 95 committed,
            # so the result also collapses.
            committed cfg=(1,2,3) cfgj=(4,5,6) idx=(92,99,90,97,95,_)
            ----
            92

            # Second quorum collapses, but nothing changes in the output.
            committed cfg=(1,2,3) cfgj=(4,5,6) idx=(92,99,90,97,95,77)
            ----
            92

            # Joint overlapping three-node configs.

            committed cfg=(1,2,3) cfgj=(1,4,5) idx=(_,_,_,_,_)
            ----
            0

            committed cfg=(1,2,3) cfgj=(1,4,5) idx=(100,_,_,_,_)
            ----
            0

            committed cfg=(1,2,3) cfgj=(1,4,5) idx=(100,101,_,_,_)
            ----
            0

            committed cfg=(1,2,3) cfgj=(1,4,5) idx=(100,101,100,_,_)
            ----
            0

            # Second quorum could commit either 98 or 99, but first quorum is open.
            committed cfg=(1,2,3) cfgj=(1,4,5) idx=(_,100,_,99,98)
            ----
            0

            # Additionally, first quorum can commit either 100 or 99
            committed cfg=(1,2,3) cfgj=(1,4,5) idx=(_,100,99,99,98)
            ----
            98

            committed cfg=(1,2,3) cfgj=(1,4,5) idx=(1,100,99,99,98)
            ----
            98

            committed cfg=(1,2,3) cfgj=(1,4,5) idx=(100,100,99,99,98)
            ----
            99

            # More overlap.

            committed cfg=(1,2,3) cfgj=(2,3,4) idx=(_,_,_,_)
            ----
            0

            committed cfg=(1,2,3) cfgj=(2,3,4) idx=(_,100,99,_)
            ----
            99

            committed cfg=(1,2,3) cfgj=(2,3,4) idx=(98,100,99,_)
            ----
            99

            committed cfg=(1,2,3) cfgj=(2,3,4) idx=(100,100,99,_)
            ----
            99

            committed cfg=(1,2,3) cfgj=(2,3,4) idx=(100,100,99,98)
            ----
            99

            committed cfg=(1,2,3) cfgj=(2,3,4) idx=(100,_,_,101)
            ----
            0

            committed cfg=(1,2,3) cfgj=(2,3,4) idx=(100,99,_,101)
            ----
            99

            # Identical. This is also exercised in the test harness, so it's listed here
            # only briefly.
            committed cfg=(1,2,3) cfgj=(1,2,3) idx=(50,45,_)
            ----
            45
            """;

    /** etcd {@code quorum/testdata/majority_vote.txt}. */
    static final String MAJORITY_VOTE = """
            # The empty config always announces a won vote.
            vote
            ----
            VoteWon

            vote cfg=(1) votes=(_)
            ----
            VotePending

            vote cfg=(1) votes=(n)
            ----
            VoteLost

            vote cfg=(123) votes=(y)
            ----
            VoteWon

            vote cfg=(4,8) votes=(_,_)
            ----
            VotePending

            # With two voters, a single rejection loses the vote.
            vote cfg=(4,8) votes=(n,_)
            ----
            VoteLost

            vote cfg=(4,8) votes=(y,_)
            ----
            VotePending

            vote cfg=(4,8) votes=(n,y)
            ----
            VoteLost

            vote cfg=(4,8) votes=(y,y)
            ----
            VoteWon

            vote cfg=(2,4,7) votes=(_,_,_)
            ----
            VotePending

            vote cfg=(2,4,7) votes=(n,_,_)
            ----
            VotePending

            vote cfg=(2,4,7) votes=(y,_,_)
            ----
            VotePending

            vote cfg=(2,4,7) votes=(n,n,_)
            ----
            VoteLost

            vote cfg=(2,4,7) votes=(y,n,_)
            ----
            VotePending

            vote cfg=(2,4,7) votes=(y,y,_)
            ----
            VoteWon

            vote cfg=(2,4,7) votes=(y,y,n)
            ----
            VoteWon

            vote cfg=(2,4,7) votes=(n,y,n)
            ----
            VoteLost

            # Test some random example with seven nodes (why not).
            vote cfg=(1,2,3,4,5,6,7) votes=(y,y,n,y,_,_,_)
            ----
            VotePending

            vote cfg=(1,2,3,4,5,6,7) votes=(_,y,y,_,n,y,n)
            ----
            VotePending

            vote cfg=(1,2,3,4,5,6,7) votes=(y,y,n,y,_,n,y)
            ----
            VoteWon

            vote cfg=(1,2,3,4,5,6,7) votes=(y,y,_,n,y,n,n)
            ----
            VotePending

            vote cfg=(1,2,3,4,5,6,7) votes=(y,y,n,y,n,n,n)
            ----
            VoteLost
            """;

    /** etcd {@code quorum/testdata/joint_vote.txt}. */
    static final String JOINT_VOTE = """
            # Empty joint config wins all votes. This isn't used in production. Note that
            # by specifying cfgj explicitly we tell the test harness to treat the input as
            # a joint quorum and not a majority quorum.
            vote cfgj=zero
            ----
            VoteWon

            # More examples with close to trivial configs.

            vote cfg=(1) cfgj=zero votes=(_)
            ----
            VotePending

            vote cfg=(1) cfgj=zero votes=(y)
            ----
            VoteWon

            vote cfg=(1) cfgj=zero votes=(n)
            ----
            VoteLost

            vote cfg=(1) cfgj=(1) votes=(_)
            ----
            VotePending

            vote cfg=(1) cfgj=(1) votes=(y)
            ----
            VoteWon

            vote cfg=(1) cfgj=(1) votes=(n)
            ----
            VoteLost

            vote cfg=(1) cfgj=(2) votes=(_,_)
            ----
            VotePending

            vote cfg=(1) cfgj=(2) votes=(y,_)
            ----
            VotePending

            vote cfg=(1) cfgj=(2) votes=(y,y)
            ----
            VoteWon

            vote cfg=(1) cfgj=(2) votes=(y,n)
            ----
            VoteLost

            vote cfg=(1) cfgj=(2) votes=(n,_)
            ----
            VoteLost

            vote cfg=(1) cfgj=(2) votes=(n,n)
            ----
            VoteLost

            vote cfg=(1) cfgj=(2) votes=(n,y)
            ----
            VoteLost

            # Two node configs.

            vote cfg=(1,2) cfgj=(3,4) votes=(_,_,_,_)
            ----
            VotePending

            vote cfg=(1,2) cfgj=(3,4) votes=(y,_,_,_)
            ----
            VotePending

            vote cfg=(1,2) cfgj=(3,4) votes=(y,y,_,_)
            ----
            VotePending

            vote cfg=(1,2) cfgj=(3,4) votes=(y,y,n,_)
            ----
            VoteLost

            vote cfg=(1,2) cfgj=(3,4) votes=(y,y,n,n)
            ----
            VoteLost

            vote cfg=(1,2) cfgj=(3,4) votes=(y,y,y,n)
            ----
            VoteLost

            vote cfg=(1,2) cfgj=(3,4) votes=(y,y,y,y)
            ----
            VoteWon

            vote cfg=(1,2) cfgj=(2,3) votes=(_,_,_)
            ----
            VotePending

            vote cfg=(1,2) cfgj=(2,3) votes=(_,n,_)
            ----
            VoteLost

            vote cfg=(1,2) cfgj=(2,3) votes=(y,y,_)
            ----
            VotePending

            vote cfg=(1,2) cfgj=(2,3) votes=(y,y,n)
            ----
            VoteLost

            vote cfg=(1,2) cfgj=(2,3) votes=(y,y,y)
            ----
            VoteWon

            vote cfg=(1,2) cfgj=(1,2) votes=(_,_)
            ----
            VotePending

            vote cfg=(1,2) cfgj=(1,2) votes=(y,_)
            ----
            VotePending

            vote cfg=(1,2) cfgj=(1,2) votes=(y,n)
            ----
            VoteLost

            vote cfg=(1,2) cfgj=(1,2) votes=(n,_)
            ----
            VoteLost

            vote cfg=(1,2) cfgj=(1,2) votes=(n,n)
            ----
            VoteLost

            # Simple example for overlapping three node configs.

            vote cfg=(1,2,3) cfgj=(2,3,4) votes=(_,_,_,_)
            ----
            VotePending

            vote cfg=(1,2,3) cfgj=(2,3,4) votes=(_,n,_,_)
            ----
            VotePending

            vote cfg=(1,2,3) cfgj=(2,3,4) votes=(_,n,n,_)
            ----
            VoteLost

            vote cfg=(1,2,3) cfgj=(2,3,4) votes=(_,y,y,_)
            ----
            VoteWon

            vote cfg=(1,2,3) cfgj=(2,3,4) votes=(y,y,_,_)
            ----
            VotePending

            vote cfg=(1,2,3) cfgj=(2,3,4) votes=(y,y,n,_)
            ----
            VotePending

            vote cfg=(1,2,3) cfgj=(2,3,4) votes=(y,y,n,n)
            ----
            VoteLost

            vote cfg=(1,2,3) cfgj=(2,3,4) votes=(y,y,n,y)
            ----
            VoteWon
            """;
}
