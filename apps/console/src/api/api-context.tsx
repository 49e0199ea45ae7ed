import { createContext, useContext } from 'react';
import type { Request } from './request.js';

export const ApiContext = createContext<Request | undefined>(undefined);

/** The signed-in caller's request function. */
export function useApi(): Request {
  const request = useContext(ApiContext);
  if (!request) throw new Error('useApi needs the signed-in console');
  return request;
}
