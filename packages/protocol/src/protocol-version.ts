/** The protocol version every handshake carries; a peer that speaks another one is refused with PROTOCOL_VERSION_MISMATCH. */
export const PROTOCOL_VERSION = 1;
