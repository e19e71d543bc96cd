import { describe, expect, it } from 'vitest';
import { allowedActions } from '../../contracts/controls.ts';
import { normalizeStatus } from '../../contracts/status.ts';

describe('status normalization', () => {
  it('maps every documented raw value', () => {
    expect(['queued', 'pending'].map((s) => normalizeStatus('queue', s))).toEqual(['queued', 'queued']);
    expect(['succeeded', 'success', 'completed'].map((s) => normalizeStatus('queue', s))).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(['failed', 'error', 'dead_letter'].map((s) => normalizeStatus('queue', s))).toEqual([
      'failed',
      'failed',
      'failed',
    ]);
    expect(normalizeStatus('orchestrator', 'awaiting_approval')).toBe('awaiting_action');
    expect(normalizeStatus('orchestrator', 'rolled_back')).toBe('succeeded');
    expect(normalizeStatus('proposals', 'dismissed')).toBe('cancelled');
    expect(normalizeStatus('proposals', 'open')).toBe('queued');
  });

  it('falls back by keyword, else queued', () => {
    expect(normalizeStatus('queue', 'RUNNING_SLOWLY')).toBe('running');
    expect(normalizeStatus('queue', 'partial_failure')).toBe('failed');
    expect(normalizeStatus('queue', 'mystery')).toBe('queued');
  });
});

describe('allowed controls', () => {
  it('explains why an action is not possible', () => {
    expect(allowedActions({ status: 'succeeded', paused: false }).cancel).toMatch(/succeeded/);
    expect(allowedActions({ status: 'running', paused: false })).toMatchObject({ cancel: null, pause: null });
    expect(allowedActions({ status: 'running', paused: false }).resume).toMatch(/not paused/);
    expect(allowedActions({ status: 'awaiting_action', paused: true }).resume).toBeNull();
  });
});
