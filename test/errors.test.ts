import { describe, expect, test } from 'vitest';
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  BillingError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  retryAfterMsOf,
  SubscriptionError,
  SupplierError,
} from '../src/errors.js';

const DETAIL = 'An unspecified error occurred while processing your request.';

describe('APIError.generate', () => {
  // Every row of the reference SDK's status table, with its exact text.
  test.each([
    [
      400,
      BadRequestError,
      'Bad request: Please verify the request payload and ensure it is correct.',
    ],
    [
      401,
      AuthenticationError,
      'Unauthorized API key: Please verify the spelling of the API key and its current validity.',
    ],
    [
      402,
      BillingError,
      'Payment required: Please ensure you have enough credits to run this asset.',
    ],
    [
      403,
      PermissionDeniedError,
      'Forbidden access: Please verify the API key and its current validity.',
    ],
    [
      404,
      NotFoundError,
      'Resource not found: Please verify the spelling of the resource and its current availability.',
    ],
    [429, RateLimitError, 'Rate limit exceeded: Please try again later.'],
    [500, InternalServerError, 'Internal server error: Please try again later.'],
    [503, InternalServerError, 'Service unavailable: Please try again later.'],
    [504, InternalServerError, 'Gateway timeout: Please try again later.'],
    [
      460,
      SubscriptionError,
      'Subscription-related error: Please ensure that your subscription is active and has not expired.',
    ],
    [
      465,
      SubscriptionError,
      'Subscription-related error: Please ensure that your subscription is active and has not expired.',
    ],
    [
      469,
      SubscriptionError,
      'Subscription-related error: Please ensure that your subscription is active and has not expired.',
    ],
    [
      470,
      BillingError,
      'Billing-related error: Please ensure you have enough credits to run this asset.',
    ],
    [
      475,
      BillingError,
      'Billing-related error: Please ensure you have enough credits to run this asset.',
    ],
    [
      479,
      BillingError,
      'Billing-related error: Please ensure you have enough credits to run this asset.',
    ],
    [
      480,
      SupplierError,
      'Supplier-related error: Please ensure that the selected supplier provides the asset you are trying to access.',
    ],
    [
      485,
      SupplierError,
      'Supplier-related error: Please ensure that the selected supplier provides the asset you are trying to access.',
    ],
    [
      489,
      SupplierError,
      'Supplier-related error: Please ensure that the selected supplier provides the asset you are trying to access.',
    ],
    [
      490,
      BadRequestError,
      'Validation-related error: Please verify the request payload and ensure it is correct.',
    ],
    [
      495,
      BadRequestError,
      'Validation-related error: Please verify the request payload and ensure it is correct.',
    ],
    [
      499,
      BadRequestError,
      'Validation-related error: Please verify the request payload and ensure it is correct.',
    ],
    [405, BadRequestError, 'Unspecified Client Error (Status 405)'],
    [408, BadRequestError, 'Unspecified Client Error (Status 408)'],
    [459, BadRequestError, 'Unspecified Client Error (Status 459)'],
    [501, InternalServerError, 'Unspecified Server Error (Status 501)'],
    [502, InternalServerError, 'Unspecified Server Error (Status 502)'],
    [302, APIError, 'Unspecified Server Error (Status 302)'],
  ])('maps %i to %o with its message and the Details suffix', (status, Class, text) => {
    const error = APIError.generate(
      status,
      { error: DETAIL },
      new Headers({ 'x-request-id': 'r-1' }),
    );
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(APIError);
    expect(error.name).toBe((Class as { name: string }).name);
    expect(error.message).toBe(`${text} Details: ${DETAIL}`);
    expect(error.status).toBe(status);
    expect(error.requestId).toBe('r-1');
    expect(error.body).toEqual({ error: DETAIL });
  });

  test('keeps the body, headers and a requestId from the body', () => {
    const headers = new Headers({ 'x-request-id': 'from-header' });
    const error = APIError.generate(500, { error: 'x', requestId: 'from-body' }, headers);
    expect(error.requestId).toBe('from-body');
    expect(error.headers.get('x-request-id')).toBe('from-header');
  });

  test('reads the retry hint of a 429 into retryAfterMs', () => {
    const error = APIError.generate(429, {}, new Headers({ 'retry-after': '2' }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(2000);
  });

  test('reports a body that was not JSON as an unspecified error', () => {
    const error = APIError.generate(502, '<html>Bad gateway</html>', new Headers(), false);
    expect(error.message).toBe('Unspecified Server Error (Status 502) Details: unspecified error');
    expect(error.body).toBe('<html>Bad gateway</html>');
  });
});

describe('the Details part of the message', () => {
  test.each([
    ['a string error', { error: 'bad' }, ' Details: bad'],
    ['an object error, as JSON', { error: { message: 'bad' } }, ' Details: {"message":"bad"}'],
    ['a body without error, as JSON', { message: 'bad' }, ' Details: {"message":"bad"}'],
    ['a string body', 'bad', ' Details: bad'],
    ['an empty error', { error: '' }, ''],
    ['a null error', { error: null }, ''],
    ['an empty body', {}, ''],
    ['an empty array error', { error: [] }, ''],
    ['a zero error', { error: 0 }, ''],
    ['a false error', { error: false }, ''],
    ['a number error', { error: 7 }, ' Details: 7'],
    ['a null body', null, ''],
    ['a body that was not JSON', undefined, ' Details: unspecified error'],
  ])('renders %s', (_, body, suffix) => {
    expect(APIError.generate(400, body).message).toBe(
      `Bad request: Please verify the request payload and ensure it is correct.${suffix}`,
    );
  });
});

describe('retryAfterMsOf', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  test.each([
    [{ 'retry-after-ms': '250' }, 250],
    [{ 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, 5000],
    [{ 'retry-after-ms': ' ', 'retry-after': '2' }, 2000],
    [{ 'retry-after-ms': 'soon', 'retry-after': '2' }, 2000],
    [{ 'retry-after-ms': '-5', 'retry-after': '2' }, 2000],
    [{ 'retry-after-ms': 'Infinity' }, undefined],
    [{ 'retry-after': '-1' }, undefined],
    [{ 'retry-after': ' ' }, undefined],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('reads %o as %s ms', (headers, expected) => {
    expect(retryAfterMsOf(new Headers(headers), now)).toBe(expected);
  });
});
