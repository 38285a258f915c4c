package io.cairn.raft.transport;

import com.google.protobuf.MessageLite;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * The inbound message size limits of the Netty transport, for the in-process one: grpc-java's
 * in-process transport passes messages by reference and ignores {@code maxInboundMessageSize},
 * so without these a message the Netty path refuses would pass in {@code cairn dev} only. A
 * message over the limit fails the call with RESOURCE_EXHAUSTED and Netty's text
 * ({@code gRPC message exceeds maximum size 4194304: 5000000}); the receiving side sees the call
 * cancelled. Costs one {@code getSerializedSize()} per message (memoized by protobuf).
 */
final class MessageSizeLimit {
    private MessageSizeLimit() {
    }

    static Status exceeded(int max, int size) {
        return Status.RESOURCE_EXHAUSTED.withDescription(
                String.format("gRPC message exceeds maximum size %d: %d", max, size));
    }

    /** The size of {@code message} on the wire, or -1 if it is not a protobuf message. */
    static int sizeOf(Object message) {
        return message instanceof MessageLite m ? m.getSerializedSize() : -1;
    }

    /** Requests larger than {@code max} bytes are refused. */
    static ServerInterceptor server(int max) {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                        next.startCall(call, headers)) {
                    private boolean refused; // callbacks of one call are serialized

                    @Override
                    public void onMessage(Q message) {
                        if (refused) {
                            return;
                        }
                        int size = sizeOf(message);
                        if (size > max) {
                            refused = true;
                            call.close(exceeded(max, size), new Metadata());
                            super.onCancel(); // as Netty: the handler sees the call cancelled
                            return;
                        }
                        super.onMessage(message);
                    }

                    @Override
                    public void onHalfClose() {
                        if (!refused) {
                            super.onHalfClose();
                        }
                    }

                    @Override
                    public void onCancel() {
                        if (!refused) {
                            super.onCancel();
                        }
                    }

                    @Override
                    public void onComplete() {
                        if (!refused) {
                            super.onComplete();
                        }
                    }

                    @Override
                    public void onReady() {
                        if (!refused) {
                            super.onReady();
                        }
                    }
                };
            }
        };
    }

    /** Responses larger than {@code max} bytes fail the call. */
    static ClientInterceptor client(int max) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
                                                       Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        ClientCall<Q, R> call = delegate();
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            private boolean refused; // callbacks of one call are serialized

                            @Override
                            public void onMessage(R message) {
                                if (refused) {
                                    return;
                                }
                                int size = sizeOf(message);
                                if (size > max) {
                                    refused = true;
                                    Status s = exceeded(max, size);
                                    call.cancel(s.getDescription(), null);
                                    super.onClose(s, new Metadata());
                                    return;
                                }
                                super.onMessage(message);
                            }

                            @Override
                            public void onHeaders(Metadata headers) {
                                if (!refused) {
                                    super.onHeaders(headers);
                                }
                            }

                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                if (!refused) {
                                    super.onClose(status, trailers);
                                }
                            }

                            @Override
                            public void onReady() {
                                if (!refused) {
                                    super.onReady();
                                }
                            }
                        }, headers);
                    }
                };
            }
        };
    }
}
