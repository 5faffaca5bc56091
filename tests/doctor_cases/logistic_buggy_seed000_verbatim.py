# doctor-case: buggy
# Seed 000 as the learner posted it: A = sigmoid(X) instead of sigmoid(w.T X + b); the asserts trip.
import numpy as np

def sigmoid(z):
  s = 1 / (1+np.exp(-z))
  return s

def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(X)  # BUG: shape
    cost = -1*((np.sum(np.dot(Y,np.log(A))+np.dot((1-Y),(np.log(1-A))),axis=0))/m)
    dw = (np.dot(X,((A-Y).T)))/m
    db = np.sum((A-Y),axis=0)/m
    assert(dw.shape == w.shape)
    assert(db.dtype == float)
    cost = np.squeeze(cost)
    assert(cost.shape == ())
    grads = {"dw": dw,
             "db": db}
    return grads, cost

w, b, X, Y = np.array([[1],[2]]), 2, np.array([[1,2],[3,4]]), np.array([[1,0]])
grads, cost = propagate(w, b, X, Y)
print ("dw = " + str(grads["dw"]))
