import { z } from 'zod';
import type { WidgetFile, WidgetServerFrame } from '../../contracts/index.ts';

/** Frames a widget may send. Anything else is an error frame, never a crash. */
export const ClientFrame = z.discriminatedUnion('t', [
  z
    .object({
      t: z.literal('hello'),
      token: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/),
      lastSeq: z.number().int().min(0),
      lang: z.string().max(16).optional(),
    })
    .strict(),
  z
    .object({
      t: z.literal('send'),
      cid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
      text: z.string().max(4000),
      files: z.array(z.string().max(64)).max(5).optional(),
    })
    .strict(),
  z.object({ t: z.literal('typing'), on: z.boolean() }).strict(),
  /** The out-of-hours form: contact details and a message, kept as a ticket and an offline contact. */
  z
    .object({
      t: z.literal('leave'),
      cid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
      name: z.string().max(100).optional(),
      phone: z.string().max(32).optional(),
      email: z.string().max(254).optional(),
      text: z.string().min(1).max(4000),
    })
    .strict(),
  z
    .object({
      t: z.literal('prechat'),
      name: z.string().max(100).optional(),
      phone: z.string().max(32).optional(),
      email: z.string().max(254).optional(),
    })
    .strict(),
  z.object({ t: z.literal('csat'), score: z.number().int().min(1).max(5) }).strict(),
  z.object({ t: z.literal('ack'), seq: z.number().int().min(0) }).strict(),
  z.object({ t: z.literal('read'), seq: z.number().int().min(0) }).strict(),
  z.object({ t: z.literal('ping') }).strict(),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

export type FileRef = WidgetFile;

/** Frames the server sends (typed once in contracts, shared with the widget). `msg.seq` is the visitor's stream position. */
export type ServerFrame = WidgetServerFrame;

/** Largest frame the widget protocol accepts; bigger ones get an error frame. */
export const MAX_FRAME_BYTES = 16 * 1024;
