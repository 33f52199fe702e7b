/** Which SQL database a schema is written for; migrations branch on it only where SQL differs. */
export type SqlFlavor = 'sqlite' | 'postgres';
