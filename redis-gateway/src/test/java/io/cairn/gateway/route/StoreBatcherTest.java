package io.cairn.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.cairn.store.node.proto.Command;
import io.cairn.store.node.proto.ExecuteRequest;
import io.cairn.store.node.proto.ExecuteResponse;
import io.cairn.store.node.proto.Result;
import io.cairn.store.node.proto.StoreServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link StoreBatcher} against a store that answers every call before {@code execute} returns. */
class StoreBatcherTest {
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** In-process with direct executors on both sides: each call completes on the caller's stack. */
  private void startSynchronousStore() throws Exception {
    String name = "batcher-test-" + System.nanoTime();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new StoreServiceGrpc.StoreServiceImplBase() {
          @Override
          public void execute(ExecuteRequest req, StreamObserver<ExecuteResponse> out) {
            ExecuteResponse.Builder b = ExecuteResponse.newBuilder();
            for (Command c : req.getCommandsList()) {
              b.addResults(Result.newBuilder().setResp(c.getArgv(0)));
            }
            out.onNext(b.build());
            out.onCompleted();
          }
        }).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @Test
  @DisplayName("calls answered synchronously, each unit's callback submitting the next, do not grow the stack:"
      + " 20,000 units in a chain all complete, in order, on the submitting thread")
  void synchronousAnswersDoNotRecurse() throws Exception {
    startSynchronousStore();
    StoreBatcher batcher = new StoreBatcher("store", channel, RouteConfig.DEFAULTS, new AtomicLong(),
        new AtomicLong());
    int units = 20_000;
    AtomicLong next = new AtomicLong();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    CompletableFuture<Long> last = new CompletableFuture<>();
    Thread caller = Thread.currentThread();
    class Chain implements StoreBatcher.Unit {
      final long n;

      Chain(long n) {
        this.n = n;
      }

      @Override
      public List<Command> commands() {
        return List.of(Command.newBuilder().addArgv(ByteString.copyFromUtf8(Long.toString(n))).build());
      }

      @Override
      public int protocol() {
        return 2;
      }

      @Override
      public long bytes() {
        return 16;
      }

      @Override
      public boolean abandoned() {
        return false;
      }

      @Override
      public void done(List<Result> results, Throwable failure) {
        if (failure != null || Thread.currentThread() != caller
            || !results.get(0).getResp().toStringUtf8().equals(Long.toString(n))
            || next.getAndIncrement() != n) {
          failed.compareAndSet(null, failure != null ? failure : new AssertionError("unit " + n));
          last.complete(n);
          return;
        }
        if (n + 1 < units) {
          batcher.submit(new Chain(n + 1));
        } else {
          last.complete(n);
        }
      }
    }
    batcher.submit(new Chain(0));
    assertThat(last.get(30, TimeUnit.SECONDS)).isEqualTo(units - 1);
    assertThat(failed.get()).isNull();
    assertThat(next.get()).isEqualTo(units);
  }
}
