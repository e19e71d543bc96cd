import type { ScheduleView } from '../../../contracts/schedules.ts';
import { request } from './client.ts';

/** The schedules API (api/routes/schedules.ts): recurring tasks on Temporal Schedules. */
export type Schedule = ScheduleView;
const base = '/api/schedules';
const one = (id: string) => `${base}/${encodeURIComponent(id)}`;

export const listSchedules = () => request<{ items: Schedule[] }>('GET', base);
export const getSchedule = (id: string) => request<Schedule>('GET', one(id));
export const createSchedule = (body: unknown) => request<Schedule>('POST', base, body);
export const updateSchedule = (id: string, body: unknown) => request<Schedule>('PATCH', one(id), body);
export const deleteSchedule = (id: string) => request<null>('DELETE', one(id));
export const triggerSchedule = (id: string) => request<Schedule>('POST', `${one(id)}/trigger`);
