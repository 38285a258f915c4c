package io.cairn.gateway;

import io.cairn.gateway.resp.RedisRequest;
import io.cairn.gateway.resp.RespProtocolError;
import io.cairn.store.types.Reply;
import io.cairn.store.resp.RespEncoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: takes the decoder's {@link RedisRequest}s and {@link RespProtocolError}s
 * and writes the replies, strictly in request order.
 *
 * <p>Ordering: every request takes a slot in {@link #pending} when it arrives; replies are written
 * from the head of the queue only, as soon as the head's reply is there. The gateway's own
 * commands answer at once; routed data commands answer later, on a gRPC thread, and the reply is
 * handed back to this channel's event loop. A pipeline's commands are routed as they arrive
 * (none waits for the reply of an earlier one) and leave for the stores together at the end of
 * the read; per group they keep their order (see the route package's {@code Lane}).
 *
 * <p>Writes are flushed once per read batch ({@link #channelReadComplete}), so a pipeline of N
 * requests that arrived in one read costs one flush. When the socket's outbound buffer is full
 * the connection stops reading until it drains (no unbounded reply buffering from a client that
 * does not read). Likewise with more than {@link #MAX_UNANSWERED} requests waiting for their
 * replies (a deep pipeline to slow stores): reading resumes once half of them are answered.
 *
 * <p>Limits: over {@code maxclients} the connection gets {@code -ERR max number of clients
 * reached} and is closed; when the replies queued for a client exceed the output buffer limit
 * (possible within one read batch, or when routed replies arrive) it is closed at once.
 *
 * <p>After a protocol error, or QUIT, the reply is written and the connection closed; requests
 * after it are not executed. Runs on the channel's event loop only.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {

  /** A reply position: {@code reply} null until the command answered. */
  private static final class Slot {
    byte[] reply;
    boolean closeAfter;
  }

  /** Unanswered requests above which the connection stops reading. */
  static final int MAX_UNANSWERED = 10_000;

  /** Redis's reply to the connection over {@code maxclients}. */
  static final byte[] MAX_CLIENTS_REACHED =
      "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

  private final GatewayCommands commands;
  private final GatewayOps ops;
  private final ConnectionState state;
  private final ArrayDeque<Slot> pending = new ArrayDeque<>();
  /** This read's requests have set {@code state.lastInteractionMillis} (reset at the read's end). */
  private boolean interactionNoted;
  /** A flush task for routed replies is queued on the event loop. */
  private boolean flushQueued;
  /** Set once a close-after reply was queued: later requests are ignored. */
  private boolean closing;

  ClientConnection(long id, GatewayCommands commands, GatewayOps ops) {
    this.commands = commands;
    this.ops = ops;
    this.state = commands.newConnection(id);
  }

  /**
   * Joins the {@link ClientRegistry}, or, over {@code maxclients}, answers Redis's error and
   * closes (counted in rejected_connections).
   */
  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ops.metrics().connectionReceived();
    if (!ops.clients().admit(new ClientRegistry.Client(state, ctx.channel()), ops.maxclients())) {
      closing = true;
      ops.metrics().connectionRejected();
      ctx.writeAndFlush(Unpooled.wrappedBuffer(MAX_CLIENTS_REACHED))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ops.clients().remove(state.id);
    // Client gone (QUIT, CLIENT KILL, a limit, or it hung up): do not send what it queued.
    state.route.close();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      return;
    }
    if (msg instanceof RedisRequest request) {
      Slot slot = new Slot();
      pending.addLast(slot);
      if (pending.size() >= MAX_UNANSWERED) {
        ctx.channel().config().setAutoRead(false);
      }
      long start = System.nanoTime();
      if (!interactionNoted) {
        // Once per read (CLIENT LIST's idle is in seconds): a volatile write and a clock read
        // less per pipelined command.
        interactionNoted = true;
        state.lastInteractionMillis = System.currentTimeMillis();
      }
      byte[] answer;
      try {
        Reply reply = commands.execute(state, request.argv());
        if (reply == null) {
          routed(ctx, slot, request.argv(), start, commands.route(state, request.argv()));
          return;
        }
        ops.commandCompleted(state, request.argv(), reply, System.nanoTime() - start);
        // Encoded in the protocol in force after the command: HELLO 3 answers in RESP3.
        answer = RespEncoder.encode(reply, state.protocol);
      } catch (RuntimeException e) {
        // A bug must not cost the client its connection and the replies behind this command:
        // it gets an error in this command's slot (propagated, it closed the connection).
        log.error("command {} failed in the gateway",
            new String(request.argv()[0], StandardCharsets.UTF_8), e);
        byte[] bytes = internalError(e, state.protocol);
        ops.commandCompleted(state, request.argv(), bytes, System.nanoTime() - start);
        complete(ctx, slot, bytes, false);
        return;
      }
      complete(ctx, slot, answer, state.closeAfterReply);
    } else if (msg instanceof RespProtocolError error) {
      Slot slot = new Slot();
      pending.addLast(slot);
      ops.metrics().error("ERR Protocol error");
      complete(ctx, slot, error.errorReply(), true);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  /** Completes the slot with a routed command's reply, on this channel's event loop. */
  private void routed(ChannelHandlerContext ctx, Slot slot, byte[][] argv, long start,
      CompletableFuture<byte[]> reply) {
    if (reply.isDone()) {
      byte[] bytes = replyBytes(reply);
      ops.commandCompleted(state, argv, bytes, System.nanoTime() - start);
      complete(ctx, slot, bytes, false);
      return;
    }
    int protocol = state.protocol;
    reply.whenComplete((bytes, err) -> {
      // Completed on this channel's event loop (in cairn dev a read the store ran inline is
      // answered on the thread that sent it): no task hop; else the reply goes to the loop.
      if (ctx.executor().inEventLoop()) {
        routedReply(ctx, slot, argv, start, bytes, err, protocol);
      } else {
        ctx.executor().execute(() -> routedReply(ctx, slot, argv, start, bytes, err, protocol));
      }
    });
  }

  /** A routed reply arrived (event loop). */
  private void routedReply(ChannelHandlerContext ctx, Slot slot, byte[][] argv, long start,
      byte[] bytes, Throwable err, int protocol) {
    if (!ctx.channel().isActive()) {
      // Closed: nobody reads it; commands dropped unsent (RouteSession.close) are not counted.
      return;
    }
    byte[] answer = err == null ? bytes : internalError(err, protocol);
    ops.commandCompleted(state, argv, answer, System.nanoTime() - start);
    complete(ctx, slot, answer, false);
    // Replies of one Execute call arrive as a burst: one flush after them.
    if (!flushQueued) {
      flushQueued = true;
      ctx.executor().execute(() -> {
        flushQueued = false;
        ctx.flush();
      });
    }
  }

  private byte[] replyBytes(CompletableFuture<byte[]> reply) {
    try {
      return reply.join();
    } catch (RuntimeException e) {
      return internalError(e, state.protocol);
    }
  }

  /** A bug in routing must not leave the client waiting: it gets an error in that slot. */
  private static byte[] internalError(Throwable err, int protocol) {
    Throwable e = err instanceof CompletionException && err.getCause() != null
        ? err.getCause() : err;
    return RespEncoder.encode(new Reply.Err("ERR Cairn gateway internal error: "
        + String.valueOf(e).replace('\r', ' ').replace('\n', ' ')), protocol);
  }

  /** Records a slot's reply and writes every answered reply at the head of the queue. */
  private void complete(ChannelHandlerContext ctx, Slot slot, byte[] reply, boolean closeAfter) {
    slot.reply = reply;
    slot.closeAfter = closeAfter;
    if (closeAfter) {
      closing = true;
    }
    while (!pending.isEmpty() && pending.peekFirst().reply != null) {
      Slot head = pending.pollFirst();
      if (head.closeAfter) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(head.reply))
            .addListener(ChannelFutureListener.CLOSE);
        pending.clear();
        return;
      }
      ctx.write(Unpooled.wrappedBuffer(head.reply), ctx.voidPromise());
    }
    long limit = ops.config().outputBufferLimitBytes();
    if (limit > 0) {
      ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
      long queued = out == null ? 0 : out.totalPendingWriteBytes();
      if (queued > limit) {
        // Redis closes such a client without a reply and logs it; so do we.
        log.warn("closing client id={} addr={}: {} bytes of replies queued, over the output buffer "
            + "limit of {} bytes", state.id, ctx.channel().remoteAddress(), queued, limit);
        ops.metrics().outputBufferDisconnect();
        closing = true;
        pending.clear();
        ctx.close();
        return;
      }
    }
    if (!ctx.channel().isWritable()) {
      ctx.channel().config().setAutoRead(false);
    } else if (!closing && pending.size() <= MAX_UNANSWERED / 2
        && !ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    interactionNoted = false;
    // Routed commands of this read leave now, together (one unit per group).
    state.route.flush();
    ctx.flush();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && !closing && pending.size() < MAX_UNANSWERED) {
      ctx.channel().config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // I/O errors (connection reset by the client) end this connection only.
    ctx.close();
  }
}
